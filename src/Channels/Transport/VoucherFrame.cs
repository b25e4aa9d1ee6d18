using System.Numerics;
using System.Text;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Channels.Transport;

/// <summary>
/// <c>0x03 VOUCHER</c>, client → payee: a signed voucher. On the wire the signature is in EIP-2098 compact form
/// (r ‖ yParityAndS); in memory it is the 65-byte r‖s‖v form (v = 27 + yParity) that
/// <see cref="VoucherSubmission"/> and the verifier take, so decoding converts once and nothing converts again.
/// </summary>
/// <param name="ChannelId">The channel.</param>
/// <param name="CumulativeAmount">The cumulative amount, 0 ≤ amount &lt; 2^96.</param>
/// <param name="Signature">
/// r‖s‖v, 65 bytes, v in {27, 28} (0 and 1 are accepted when encoding). Not copied: the frame shares this memory.
/// The signature is carried exactly as received, a high s included, so the verifier names it instead of a
/// normalised twin hiding it. An s with its top bit set cannot be carried in compact form.
/// </param>
public sealed record VoucherFrame(ChannelId ChannelId, BigInteger CumulativeAmount, ReadOnlyMemory<byte> Signature) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.Voucher;

    /// <summary>The frame of a voucher signed by this library's signer (always low s).</summary>
    /// <param name="voucher">The signed voucher.</param>
    /// <exception cref="ArgumentOutOfRangeException">The amount is 2^96 or more (no deposit can cover it).</exception>
    public static VoucherFrame FromSignedVoucher(SignedVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        var amount = voucher.Voucher.CumulativeAmount;
        if (amount > PayeeFrames.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(voucher), "A voucher amount on the wire is below 2^96.");
        }

        return new VoucherFrame(voucher.Voucher.ChannelId, amount, voucher.Signature.ToRsv());
    }

    /// <summary>The frame of a submission (channel id, amount and signature; the chain and contract are the connection's).</summary>
    /// <param name="submission">The submission.</param>
    public static VoucherFrame FromSubmission(in VoucherSubmission submission) =>
        new(submission.Key.ChannelId, submission.CumulativeAmount, submission.Signature);

    /// <summary>
    /// The voucher as the verifier takes it, in the connection's domain. Allocates nothing: the signature memory is
    /// shared.
    /// </summary>
    /// <param name="chainId">The chain id fixed by the connection's HELLO (or the URL).</param>
    /// <param name="contract">The contract fixed by the connection's HELLO (or the URL).</param>
    public VoucherSubmission ToSubmission(ulong chainId, Address contract) =>
        new(new ChannelKey(chainId, contract, ChannelId), CumulativeAmount, Signature);

    /// <inheritdoc />
    public bool Equals(VoucherFrame? other) =>
        other is not null
        && ChannelId == other.ChannelId
        && CumulativeAmount == other.CumulativeAmount
        && Signature.Span.SequenceEqual(other.Signature.Span);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(ChannelId);
        hash.Add(CumulativeAmount);
        hash.AddBytes(Signature.Span);
        return hash.ToHashCode();
    }

    /// <summary>Prints the signature as hex rather than as a memory block.</summary>
    /// <param name="builder">Receives the members.</param>
    protected override bool PrintMembers(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (base.PrintMembers(builder))
        {
            builder.Append(", ");
        }

        builder.Append("ChannelId = ").Append(ChannelId)
            .Append(", CumulativeAmount = ").Append(CumulativeAmount)
            .Append(", Signature = ").Append(Hex.Encode(Signature.Span));
        return true;
    }
}
