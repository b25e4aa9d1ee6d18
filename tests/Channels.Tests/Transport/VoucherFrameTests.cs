using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;
using static Settlement.Channels.Tests.Transport.FrameSamples;

namespace Settlement.Channels.Tests.Transport;

public sealed class VoucherFrameTests
{
    private const ulong ChainId = 31337;

    // Hardhat / Anvil account #1: a well-known test key.
    private const string PayerKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    /// <summary>floor(n / 2) of secp256k1 (EIP-2): a low s is at most this.</summary>
    private static readonly BigInteger HalfOrder = new(
        Convert.FromHexString("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0"), isUnsigned: true, isBigEndian: true);

    [Fact]
    public void ToSubmission_RealSignedVoucherThroughTheWire_RecoversToSigner()
    {
        using var key = PrivateKey.ParseHex(PayerKey);
        var typed = ChannelTypedData.ForContract(ChainId, Contract);
        var parities = new HashSet<byte>();

        // Enough amounts that both y parities (top bit of yParityAndS set and clear) go through the wire.
        for (var amount = 1; amount <= 24; amount++)
        {
            var cumulative = new BigInteger(amount) * 1_000_000_000_000;
            var signature = typed.SignVoucher(key, Channel.Bytes, cumulative);
            parities.Add(signature.RecoveryId);
            var frame = VoucherFrame.FromSignedVoucher(new SignedVoucher(new Voucher(Channel, cumulative), signature));

            PayeeFrameCodec.TryDecode(PayeeFrameCodec.Encode(frame), out var decoded, out _).ShouldBeTrue();
            var submission = ((VoucherFrame)decoded).ToSubmission(ChainId, Contract);

            submission.Key.ShouldBe(new ChannelKey(ChainId, Contract, Channel));
            submission.CumulativeAmount.ShouldBe(cumulative);
            submission.Signature.ToArray().ShouldBe(signature.ToRsv());
            EcdsaSignature.TryParseRsv(submission.Signature.Span, out var parsed).ShouldBeTrue();
            typed.TryRecoverVoucherSigner(submission.Key.ChannelId.Bytes, submission.CumulativeAmount, parsed, out var signer).ShouldBeTrue();
            signer.ShouldBe(key.Address);
        }

        parities.Count.ShouldBe(2);
    }

    [Fact]
    public void ToSubmission_SameVoucherInAnotherDomain_DoesNotRecoverToSigner()
    {
        using var key = PrivateKey.ParseHex(PayerKey);
        var signature = ChannelTypedData.ForContract(ChainId, Contract).SignVoucher(key, Channel.Bytes, 7);
        var frame = VoucherFrame.FromSignedVoucher(new SignedVoucher(new Voucher(Channel, 7), signature));

        // The same bytes replayed on a connection that said HELLO for another chain.
        var submission = frame.ToSubmission(1, Contract);
        EcdsaSignature.TryParseRsv(submission.Signature.Span, out var parsed).ShouldBeTrue();
        ChannelTypedData.ForContract(submission.Key.ChainId, submission.Key.Contract)
            .TryRecoverVoucherSigner(Channel.Bytes, 7, parsed, out var signer);

        submission.Key.ChainId.ShouldBe(1UL);
        signer.ShouldNotBe(key.Address);
    }

    [Theory]
    [InlineData("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A1", 0x00)] // n/2 + 1
    [InlineData("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 0x80)] // 2^255 - 1, yParity 1
    public void TryDecode_CompactSignatureWithHighS_KeepsSSoTheVerifierCanNameIt(string sHex, byte parityBit)
    {
        var r = Enumerable.Repeat((byte)0x22, 32).ToArray();
        var s = Convert.FromHexString(sHex);
        var yParityAndS = s.ToArray();
        yParityAndS[0] |= parityBit;
        byte[] wire = [0x03, .. Channel.Bytes, 0x01, 0x05, .. r, .. yParityAndS];

        PayeeFrameCodec.TryDecode(wire, out var frame, out _).ShouldBeTrue();
        var submission = ((VoucherFrame)frame).ToSubmission(ChainId, Contract);

        var signature = submission.Signature.ToArray();
        signature[32..64].ShouldBe(s);
        signature[64].ShouldBe((byte)(parityBit == 0 ? 27 : 28));
        new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true).ShouldBeGreaterThan(HalfOrder);
        EcdsaSignature.TryParseRsv(signature, out _).ShouldBeFalse(); // refused as high s, never normalised away
        PayeeFrameCodec.Encode(frame).ShouldBe(wire);
    }

    [Fact]
    public void Encode_SignatureWithTopBitOfSSet_ThrowsArgumentException()
    {
        var s = Enumerable.Repeat((byte)0x33, 32).ToArray();
        s[0] = 0x80;
        var frame = new VoucherFrame(Channel, 1, (byte[])[.. Enumerable.Repeat((byte)0x22, 32), .. s, 27]);

        Should.Throw<ArgumentException>(() => PayeeFrameCodec.Encode(frame)).Message.ShouldContain("EIP-2098");
    }

    [Fact]
    public void FromSubmission_ToSubmission_RoundTrips()
    {
        using var key = PrivateKey.ParseHex(PayerKey);
        var signature = ChannelTypedData.ForContract(ChainId, Contract).SignVoucher(key, Channel.Bytes, 9);
        var submission = new VoucherSubmission(new ChannelKey(ChainId, Contract, Channel), 9, signature.ToRsv());

        VoucherFrame.FromSubmission(submission).ToSubmission(ChainId, Contract).ShouldBe(submission);
    }

    [Fact]
    public void FromSignedVoucher_AmountOf2To96_Throws()
    {
        using var key = PrivateKey.ParseHex(PayerKey);
        var amount = PayeeFrames.MaxAmount + 1;
        var signature = ChannelTypedData.ForContract(ChainId, Contract).SignVoucher(key, Channel.Bytes, amount);

        Should.Throw<ArgumentOutOfRangeException>(
            () => VoucherFrame.FromSignedVoucher(new SignedVoucher(new Voucher(Channel, amount), signature)));
    }

    [Fact]
    public void ToSubmission_Decoded_SharesSignatureMemory()
    {
        var frame = new VoucherFrame(Channel, 1, new byte[65]);

        var submission = frame.ToSubmission(ChainId, Address.Zero);

        submission.Signature.Equals(frame.Signature).ShouldBeTrue();
    }

    [Fact]
    public void Encode_SignedVoucherOfDocsExample_MatchesDocumentedBytes()
    {
        // docs/payee.md, "Example: a signed VOUCHER" (RFC 6979 signatures are deterministic).
        using var key = PrivateKey.ParseHex(PayerKey);
        var typed = ChannelTypedData.ForContract(ChainId, Contract);
        var signature = typed.SignVoucher(key, Channel.Bytes, 1_000_000);

        var bytes = PayeeFrameCodec.Encode(VoucherFrame.FromSignedVoucher(new SignedVoucher(new Voucher(Channel, 1_000_000), signature)));

        Convert.ToHexString(typed.HashVoucher(Channel.Bytes, 1_000_000))
            .ShouldBe("DD4EC0671B00F8074C54C3E4AF56358C231C27CFD10ED25B4D35949CBC7ED0C9");
        signature.ToString().ShouldBe(
            "0x86c487f2481d61d04c7ba17d8b32053d54883ee9212a797d5632c9fad014a6441309236b0a9fff41f9af3c97f31b852769b96e12fe844e90aa64ab8abeeab2e91c");
        bytes.ShouldBe(FromHex(
            "03 1111111111111111111111111111111111111111111111111111111111111111 03 0F4240"
            + " 86C487F2481D61D04C7BA17D8B32053D54883EE9212A797D5632C9FAD014A644"
            + " 9309236B0A9FFF41F9AF3C97F31B852769B96E12FE844E90AA64AB8ABEEAB2E9"));
    }
}
