using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payee;

public sealed class VoucherVerifierTests : IDisposable
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void Verify_FirstVoucherWithinDeposit_ValidWithWholeAmountAsIncrement()
    {
        var verdict = Verify(_world.Voucher(300), _world.View(), newest: 0);

        verdict.IsValid.ShouldBeTrue();
        verdict.Code.ShouldBeNull();
        verdict.Increment.ShouldBe(new BigInteger(300));
        verdict.Signature.ToRsv().ShouldBe(_world.Voucher(300).Signature.ToArray());
    }

    [Fact]
    public void Verify_NextVoucher_IncrementIsDifferenceToNewest()
    {
        var verdict = Verify(_world.Voucher(1_000), _world.View(), newest: 700);

        verdict.IsValid.ShouldBeTrue();
        verdict.Increment.ShouldBe(new BigInteger(300));
    }

    [Fact]
    public void Verify_RedeemedAboveNewest_IncrementCountsFromRedeemed()
    {
        var verdict = Verify(_world.Voucher(1_000), _world.View(redeemed: 900), newest: 700);

        verdict.IsValid.ShouldBeTrue();
        verdict.Increment.ShouldBe(new BigInteger(100));
    }

    [Fact]
    public void Verify_AmountEqualToDeposit_Valid()
    {
        Verify(_world.Voucher(PayeeWorld.Deposit), _world.View(), 0).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void Verify_SameAmountAsNewestWithPayerSignature_Duplicate()
    {
        var verdict = Verify(_world.Voucher(500), _world.View(), newest: 500);

        verdict.IsDuplicate.ShouldBeTrue();
        verdict.IsValid.ShouldBeFalse();
        verdict.Code.ShouldBeNull();
    }

    [Fact]
    public void Verify_SameAmountAsNewestSignedByStranger_WrongSigner()
    {
        Reject(_world.Voucher(500, _world.Stranger), _world.View(), 500).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_NoView_UnknownChannel()
    {
        Reject(_world.Voucher(1), null, 0).ShouldBe(VoucherRejectCode.UnknownChannel);
    }

    [Fact]
    public void Verify_ViewOfAnotherChannel_UnknownChannel()
    {
        var other = _world.Key with { ChannelId = ChannelId.FromBytes(new byte[32]) };
        Reject(_world.Voucher(1), _world.View(key: other), 0).ShouldBe(VoucherRejectCode.UnknownChannel);
    }

    [Fact]
    public void Verify_SettledChannel_ChannelSettled()
    {
        Reject(_world.Voucher(1), _world.View(settled: true), 0).ShouldBe(VoucherRejectCode.ChannelSettled);
    }

    [Fact]
    public void Verify_ClosingWithTimeLeft_ChannelClosing()
    {
        var deadline = (ulong)_world.Clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        Reject(_world.Voucher(1), _world.View(closeDeadline: deadline), 0).ShouldBe(VoucherRejectCode.ChannelClosing);
    }

    [Fact]
    public void Verify_ClosingWithinMargin_DeadlineTooNear()
    {
        var deadline = (ulong)_world.Clock.GetUtcNow().Add(Margin).AddSeconds(-1).ToUnixTimeSeconds();
        Reject(_world.Voucher(1), _world.View(closeDeadline: deadline), 0).ShouldBe(VoucherRejectCode.DeadlineTooNear);
    }

    [Fact]
    public void Verify_ClosingExactlyAtMargin_ChannelClosing()
    {
        var deadline = (ulong)_world.Clock.GetUtcNow().Add(Margin).ToUnixTimeSeconds();
        Reject(_world.Voucher(1), _world.View(closeDeadline: deadline), 0).ShouldBe(VoucherRejectCode.ChannelClosing);
    }

    [Fact]
    public void Verify_NegativeAmount_MalformedFrame()
    {
        var voucher = _world.Voucher(5) with { CumulativeAmount = -5 };
        Reject(voucher, _world.View(), 0).ShouldBe(VoucherRejectCode.MalformedFrame);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(66)]
    public void Verify_SignatureOfWrongLength_MalformedSignature(int length)
    {
        var voucher = _world.Voucher(5) with { Signature = new byte[length] };
        Reject(voucher, _world.View(), 0).ShouldBe(VoucherRejectCode.MalformedSignature);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(26)]
    [InlineData(29)]
    public void Verify_UnknownV_MalformedSignature(byte v)
    {
        var bytes = _world.Voucher(5).Signature.ToArray();
        bytes[64] = v;
        Reject(_world.Voucher(5) with { Signature = bytes }, _world.View(), 0).ShouldBe(VoucherRejectCode.MalformedSignature);
    }

    [Fact]
    public void Verify_RZero_MalformedSignature()
    {
        var bytes = _world.Voucher(5).Signature.ToArray();
        Array.Clear(bytes, 0, 32);
        Reject(_world.Voucher(5) with { Signature = bytes }, _world.View(), 0).ShouldBe(VoucherRejectCode.MalformedSignature);
    }

    [Fact]
    public void Verify_SAtCurveOrder_MalformedSignature()
    {
        var bytes = _world.Voucher(5).Signature.ToArray();
        Secp256k1Scalars.Order.CopyTo(bytes.AsSpan(32));
        Reject(_world.Voucher(5) with { Signature = bytes }, _world.View(), 0).ShouldBe(VoucherRejectCode.MalformedSignature);
    }

    [Fact]
    public void Verify_MalleatedHighS_HighS()
    {
        // (r, n − s, v ^ 1) recovers the same signer; the contract refuses it (EIP-2), so must the payee.
        var bytes = _world.Voucher(5).Signature.ToArray();
        var n = new BigInteger(Secp256k1Scalars.Order, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(bytes.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        (n - s).TryWriteBytes(bytes.AsSpan(32, 32), out var written, isUnsigned: true, isBigEndian: true).ShouldBeTrue();
        written.ShouldBe(32);
        bytes[64] = (byte)(bytes[64] == 27 ? 28 : 27);

        Reject(_world.Voucher(5) with { Signature = bytes }, _world.View(), 0).ShouldBe(VoucherRejectCode.HighS);
    }

    [Fact]
    public void Verify_SignedByStranger_WrongSigner()
    {
        Reject(_world.Voucher(5, _world.Stranger), _world.View(), 0).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_SignedByPayee_WrongSignerInPayerToPayeeDirection()
    {
        Reject(_world.Voucher(5, _world.Payee), _world.View(), 0).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_SignedForAnotherChain_WrongSigner()
    {
        var otherChain = ChannelTypedData.ForContract(PayeeWorld.ChainId + 1, PayeeWorld.Contract);
        Reject(_world.Voucher(5, domain: otherChain), _world.View(), 0).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_SignedForAnotherContract_WrongSigner()
    {
        var otherContract = ChannelTypedData.ForContract(PayeeWorld.ChainId, PayeeWorld.OtherContract);
        Reject(_world.Voucher(5, domain: otherContract), _world.View(), 0).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_SignatureOfAnotherChannelReplayed_WrongSigner()
    {
        var otherKey = _world.Key with { ChannelId = ChannelId.FromBytes(Enumerable.Repeat((byte)7, 32).ToArray()) };
        var replayed = _world.Voucher(5, key: otherKey) with { Key = _world.Key };
        Reject(replayed, _world.View(), 0).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_SignatureOfAnotherAmount_WrongSigner()
    {
        var tampered = _world.Voucher(5) with { CumulativeAmount = 6 };
        Reject(tampered, _world.View(), 0).ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_BelowNewest_Stale()
    {
        Reject(_world.Voucher(499), _world.View(), 500).ShouldBe(VoucherRejectCode.Stale);
    }

    [Fact]
    public void Verify_ZeroAmountWithNothingAccepted_ZeroIncrement()
    {
        Reject(_world.Voucher(0), _world.View(), 0).ShouldBe(VoucherRejectCode.ZeroIncrement);
    }

    [Theory]
    [InlineData(800)]
    [InlineData(900)]
    public void Verify_NotAboveRedeemed_ZeroIncrement(int amount)
    {
        Reject(_world.Voucher(amount), _world.View(redeemed: 900), 0).ShouldBe(VoucherRejectCode.ZeroIncrement);
    }

    [Fact]
    public void Verify_AboveDeposit_ExceedsDeposit()
    {
        Reject(_world.Voucher(PayeeWorld.Deposit + 1), _world.View(), 0).ShouldBe(VoucherRejectCode.ExceedsDeposit);
    }

    [Fact]
    public void Verify_AboveUint96_ExceedsDepositWithoutThrowing()
    {
        var huge = BigInteger.One << 300;
        var voucher = _world.Voucher(5) with { CumulativeAmount = huge };
        Reject(voucher, _world.View(deposit: VoucherVerifier.MaxAmount), 0).ShouldBe(VoucherRejectCode.ExceedsDeposit);
    }

    [Fact]
    public void Verify_RefundDirection_SignedByPayeeWithinPayeeDeposit_Valid()
    {
        var verdict = VoucherVerifier.Verify(
            _world.Voucher(400_000, _world.Payee), _world.View(), 0, _world.TypedData, VoucherDirection.PayeeToPayer, _world.Clock.GetUtcNow(), Margin);

        verdict.IsValid.ShouldBeTrue();
        verdict.Increment.ShouldBe(new BigInteger(400_000));
    }

    [Fact]
    public void Verify_RefundDirection_AbovePayeeDeposit_ExceedsDeposit()
    {
        var verdict = VoucherVerifier.Verify(
            _world.Voucher(500_001, _world.Payee), _world.View(), 0, _world.TypedData, VoucherDirection.PayeeToPayer, _world.Clock.GetUtcNow(), Margin);

        verdict.Code.ShouldBe(VoucherRejectCode.ExceedsDeposit);
    }

    [Fact]
    public void Verify_RefundDirection_SignedByPayer_WrongSigner()
    {
        var verdict = VoucherVerifier.Verify(
            _world.Voucher(5), _world.View(), 0, _world.TypedData, VoucherDirection.PayeeToPayer, _world.Clock.GetUtcNow(), Margin);

        verdict.Code.ShouldBe(VoucherRejectCode.WrongSigner);
    }

    [Fact]
    public void Verify_ExactlyMaxAmountWithinAHugeView_Valid()
    {
        var verdict = Verify(_world.Voucher(VoucherVerifier.MaxAmount), _world.View(deposit: VoucherVerifier.MaxAmount), 0);

        verdict.IsValid.ShouldBeTrue();
        VoucherVerifier.MaxAmount.ShouldBe((BigInteger.One << 96) - 1);
    }

    [Fact]
    public void Verify_TwoToThe96SignedByPayerEvenIfTheViewClaimsMore_ExceedsDeposit()
    {
        // No deposit on chain can reach 2^96 (MAX_AMOUNT); a view saying otherwise does not make it payable.
        var amount = BigInteger.One << 96;
        Reject(_world.Voucher(amount), _world.View(deposit: BigInteger.One << 100), 0).ShouldBe(VoucherRejectCode.ExceedsDeposit);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(27)]
    [InlineData(28)]
    public void Verify_HighSWithEveryAcceptedV_HighS(byte v)
    {
        var bytes = _world.Voucher(5).Signature.ToArray();
        var halfPlusOne = new BigInteger(Secp256k1Scalars.HalfOrder, isUnsigned: true, isBigEndian: true) + 1;
        halfPlusOne.TryWriteBytes(bytes.AsSpan(32, 32), out _, isUnsigned: true, isBigEndian: true).ShouldBeTrue();
        bytes[64] = v;

        Reject(_world.Voucher(5) with { Signature = bytes }, _world.View(), 0).ShouldBe(VoucherRejectCode.HighS);
    }

    [Fact]
    public void Verify_RecoveryIdWrittenAsZeroOrOne_ValidLikeTwentySevenOrTwentyEight()
    {
        var parities = new HashSet<int>();
        for (var amount = 1; parities.Count < 2 && amount < 64; amount++)
        {
            var voucher = _world.Voucher(amount);
            var bytes = voucher.Signature.ToArray();
            bytes[64] -= 27;
            parities.Add(bytes[64]);
            Verify(voucher with { Signature = bytes }, _world.View(), 0).IsValid.ShouldBeTrue($"amount {amount}, v {bytes[64]}");
        }

        parities.Count.ShouldBe(2, "both recovery ids were exercised");
    }

    [Fact]
    public void Verify_NullTypedData_Throws()
    {
        Should.Throw<ArgumentNullException>(() =>
            VoucherVerifier.Verify(_world.Voucher(1), _world.View(), 0, null!, VoucherDirection.PayerToPayee, _world.Clock.GetUtcNow(), Margin));
    }

    [Fact]
    public void Fuzz_MutatedAndRandomSubmissions_NeverThrowAndOnlyPayerSignedVouchersPass()
    {
        // 100,000 inputs: valid vouchers with one field mutated (amount, a signature byte, the channel id, the
        // signature length) and pure random ones. A verdict of "valid" must always be a voucher the payer signed.
        var random = new Random(20261202);
        var view = _world.View();
        var valid = Enumerable.Range(1, 64).Select(i => _world.Voucher(i * 997)).ToArray();
        var passed = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var submission = Mutate(valid[random.Next(valid.Length)], random);
            var verdict = Verify(submission, view, newest: 0);
            if (verdict.IsValid)
            {
                passed++;
                _world.TypedData.TryRecoverVoucherSigner(submission.Key.ChannelId.Bytes, submission.CumulativeAmount, verdict.Signature, out var signer)
                    .ShouldBeTrue();
                signer.ShouldBe(_world.Payer.Address);
                submission.CumulativeAmount.ShouldBeInRange(BigInteger.One, PayeeWorld.Deposit);
            }
        }

        passed.ShouldBeGreaterThan(0);
    }

    private VoucherSubmission Mutate(VoucherSubmission valid, Random random)
    {
        var signature = valid.Signature.ToArray();
        switch (random.Next(8))
        {
            case 0:
                return valid;
            case 1:
                return valid with { CumulativeAmount = valid.CumulativeAmount + random.Next(-3, 4) };
            case 2:
                signature[random.Next(signature.Length)] ^= (byte)(1 << random.Next(8));
                return valid with { Signature = signature };
            case 3:
                var id = valid.Key.ChannelId.Bytes.ToArray();
                id[random.Next(32)] ^= (byte)(1 << random.Next(8));
                return valid with { Key = valid.Key with { ChannelId = ChannelId.FromBytes(id) } };
            case 4:
                return valid with { Signature = signature.AsMemory(0, random.Next(signature.Length)) };
            case 5:
                var bytes = new byte[random.Next(0, 40)];
                random.NextBytes(bytes);
                return valid with { CumulativeAmount = new BigInteger(bytes) };
            case 6:
                var noise = new byte[random.Next(0, 2) == 0 ? 65 : random.Next(0, 100)];
                random.NextBytes(noise);
                return valid with { Signature = noise };
            default:
                return valid with { CumulativeAmount = valid.CumulativeAmount * random.Next(0, 3) };
        }
    }

    [Fact]
    public void VoucherVerdict_ToString_NamesTheVerdict()
    {
        Verify(_world.Voucher(300), _world.View(), newest: 100).ToString().ShouldBe("Valid(+200)");
        Verify(_world.Voucher(300), _world.View(), newest: 300).ToString().ShouldBe("Duplicate");
        Verify(_world.Voucher(200), _world.View(), newest: 300).ToString().ShouldBe("Rejected(Stale)");
    }

    private VoucherVerdict Verify(VoucherSubmission submission, PayeeChannelView? view, BigInteger newest) =>
        VoucherVerifier.Verify(submission, view, newest, _world.TypedData, VoucherDirection.PayerToPayee, _world.Clock.GetUtcNow(), Margin);

    private VoucherRejectCode? Reject(VoucherSubmission submission, PayeeChannelView? view, BigInteger newest)
    {
        var verdict = Verify(submission, view, newest);
        verdict.IsValid.ShouldBeFalse();
        verdict.IsDuplicate.ShouldBeFalse();
        return verdict.Code;
    }
}
