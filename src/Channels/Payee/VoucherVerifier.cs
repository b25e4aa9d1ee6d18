using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payee;

/// <summary>
/// The payee's rules for one voucher (docs/payee.md, "Verification"), as a pure function of the voucher, the
/// channel's confirmed view, the newest amount already accepted and the clock. Never throws on any input: a
/// malformed signature, a negative or huge amount and an unknown channel are verdicts. Cheap checks run before the
/// signature is recovered, so garbage costs no elliptic-curve work.
/// </summary>
public static class VoucherVerifier
{
    /// <summary>The largest amount the contract can hold (deposits are packed in 96 bits).</summary>
    public static readonly BigInteger MaxAmount = (BigInteger.One << 96) - 1;

    /// <summary>Checks <paramref name="submission"/> against <paramref name="view"/>.</summary>
    /// <param name="submission">The voucher as received.</param>
    /// <param name="view">The channel's confirmed view; null if no such channel is known.</param>
    /// <param name="newest">The newest cumulative amount accepted (stored or being stored) for the channel; 0 if none.</param>
    /// <param name="typedData">The typed data of the channel's deployment (cached by the caller).</param>
    /// <param name="direction">Who must have signed.</param>
    /// <param name="now">The current time.</param>
    /// <param name="deadlineMargin">How long before a close deadline a closing channel stops being
    /// <see cref="VoucherRejectCode.ChannelClosing"/> and becomes <see cref="VoucherRejectCode.DeadlineTooNear"/>.</param>
    public static VoucherVerdict Verify(
        in VoucherSubmission submission,
        PayeeChannelView? view,
        BigInteger newest,
        ChannelTypedData typedData,
        VoucherDirection direction,
        DateTimeOffset now,
        TimeSpan deadlineMargin)
    {
        ArgumentNullException.ThrowIfNull(typedData);
        if (view is null || view.Key != submission.Key)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.UnknownChannel);
        }

        if (view.Settled)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.ChannelSettled);
        }

        if (view.IsClosing)
        {
            var left = (long)Math.Min(view.CloseDeadline, long.MaxValue) - now.ToUnixTimeSeconds();
            return VoucherVerdict.Reject(left < deadlineMargin.TotalSeconds ? VoucherRejectCode.DeadlineTooNear : VoucherRejectCode.ChannelClosing);
        }

        var amount = submission.CumulativeAmount;
        if (amount.Sign < 0)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.MalformedFrame);
        }

        // The contract holds no deposit of 2^96 or more (MAX_AMOUNT), so such an amount is never payable, whatever the
        // view says; refusing it here also keeps every amount that reaches the hashing within uint256.
        if (amount > MaxAmount)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.ExceedsDeposit);
        }

        var code = CheckSignatureForm(submission.Signature.Span, out var signature);
        if (code is { } malformed)
        {
            return VoucherVerdict.Reject(malformed);
        }

        var (deposit, redeemed, signer) = direction == VoucherDirection.PayerToPayee
            ? (view.PayerDeposit, view.RedeemedByPayee, view.Parameters.Payer)
            : (view.PayeeDeposit, view.RedeemedByPayer, view.Parameters.Payee);

        if (amount == newest && newest.Sign > 0)
        {
            return SignedBy(typedData, submission, signature, signer)
                ? VoucherVerdict.Duplicate(signature)
                : VoucherVerdict.Reject(VoucherRejectCode.WrongSigner);
        }

        if (amount < newest)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.Stale);
        }

        if (amount <= redeemed)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.ZeroIncrement);
        }

        if (amount > deposit)
        {
            return VoucherVerdict.Reject(VoucherRejectCode.ExceedsDeposit);
        }

        if (!SignedBy(typedData, submission, signature, signer))
        {
            return VoucherVerdict.Reject(VoucherRejectCode.WrongSigner);
        }

        return VoucherVerdict.Valid(amount - BigInteger.Max(newest, redeemed), signature);
    }

    /// <summary>
    /// Checks the 65 bytes r‖s‖v: length, v in {0, 1, 27, 28}, r and s in [1, n) → else
    /// <see cref="VoucherRejectCode.MalformedSignature"/>; s above n/2 → <see cref="VoucherRejectCode.HighS"/>.
    /// </summary>
    public static VoucherRejectCode? CheckSignatureForm(ReadOnlySpan<byte> rsv, out EcdsaSignature signature)
    {
        if (EcdsaSignature.TryParseRsv(rsv, out signature))
        {
            return null;
        }

        if (rsv.Length != EcdsaSignature.RsvLength
            || rsv[64] is not (0 or 1 or 27 or 28)
            || !Secp256k1Scalars.IsInRange(rsv[..32])
            || !Secp256k1Scalars.IsInRange(rsv[32..64]))
        {
            return VoucherRejectCode.MalformedSignature;
        }

        return VoucherRejectCode.HighS;
    }

    private static bool SignedBy(ChannelTypedData typedData, in VoucherSubmission submission, in EcdsaSignature signature, Address expected) =>
        typedData.TryRecoverVoucherSigner(submission.Key.ChannelId.Bytes, submission.CumulativeAmount, signature, out var signer)
        && signer == expected;
}
