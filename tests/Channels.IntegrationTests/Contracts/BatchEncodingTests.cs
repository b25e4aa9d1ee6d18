using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>The packed <c>redeemBatch</c> layout of <see cref="ChannelContract.EncodeBatch"/> (docs/protocol.md, "Batch encoding").</summary>
public sealed class BatchEncodingTests
{
    private static readonly ChannelDomain Domain = new(31337, Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    [Fact]
    public void EncodeBatch_BothRecoveryIds_PacksFieldsBigEndianWithVsTopBit()
    {
        using var key = PrivateKey.Create(Enumerable.Repeat((byte)0x42, 32).ToArray());
        var channel = new ChannelParameters(key.Address, Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), Address.Zero, 0x01020304, 0x0A0B0C0D0E);

        // Deterministic (RFC 6979) signatures: walk amounts until both recovery ids occur.
        var byId = new Dictionary<byte, SignedVoucher>();
        for (var amount = 1; byId.Count < 2; amount++)
        {
            var voucher = new Voucher(channel.Id, amount);
            var signed = new SignedVoucher(voucher, voucher.Sign(key, Domain));
            byId.TryAdd(signed.Signature.RecoveryId, signed);
        }

        var items = new[] { (channel, byId[0]), (channel, byId[1]) };
        var batch = ChannelContract.EncodeBatch(items);

        batch.Length.ShouldBe(4 + (2 * ChannelContract.BatchItemSize));
        batch[..4].ShouldBe(new byte[] { 1, 2, 3, 4 });
        for (var i = 0; i < 2; i++)
        {
            var item = batch.AsSpan(4 + (i * ChannelContract.BatchItemSize), ChannelContract.BatchItemSize).ToArray();
            var signature = items[i].Item2.Signature;
            item[..20].ShouldBe(key.Address.Bytes.ToArray());
            item[20..25].ShouldBe(new byte[] { 0x0A, 0x0B, 0x0C, 0x0D, 0x0E });
            new BigInteger(item[25..37], isUnsigned: true, isBigEndian: true).ShouldBe(items[i].Item2.Voucher.CumulativeAmount);
            item[37..69].ShouldBe(signature.R.ToArray());
            (item[69] >> 7).ShouldBe((int)signature.RecoveryId);
            var s = item[69..101];
            s[0] &= 0x7F;
            s.ShouldBe(signature.S.ToArray());
        }
    }

    [Fact]
    public void EncodeBatch_AmountAbove96BitsOrEmpty_Throws()
    {
        using var key = PrivateKey.Create(Enumerable.Repeat((byte)0x42, 32).ToArray());
        var channel = new ChannelParameters(key.Address, Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), Address.Zero, 3600, 1);
        var max = (BigInteger.One << 96) - 1;
        var fits = new Voucher(channel.Id, max);
        var tooBig = new Voucher(channel.Id, max + 1);

        var packed = ChannelContract.EncodeBatch([(channel, new SignedVoucher(fits, fits.Sign(key, Domain)))]);
        packed.AsSpan(4 + 25, 12).ToArray().ShouldAllBe(b => b == 0xFF);
        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch([(channel, new SignedVoucher(tooBig, tooBig.Sign(key, Domain)))]));
        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch([]));
    }

    [Fact]
    public void EncodeBatch_MixedChallengePeriodsOrNonceAbove40Bits_Throws()
    {
        using var key = PrivateKey.Create(Enumerable.Repeat((byte)0x42, 32).ToArray());
        var payee = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        SignedVoucher Signed(ChannelParameters c)
        {
            var v = new Voucher(c.Id, 5);
            return new SignedVoucher(v, v.Sign(key, Domain));
        }

        var hour = new ChannelParameters(key.Address, payee, Address.Zero, 3600, 1);
        var day = new ChannelParameters(key.Address, payee, Address.Zero, 86_400, 2);
        var lastNonce = new ChannelParameters(key.Address, payee, Address.Zero, 3600, ChannelContract.MaxBatchNonce);
        var tooFar = new ChannelParameters(key.Address, payee, Address.Zero, 3600, ChannelContract.MaxBatchNonce + 1);

        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch([(hour, Signed(hour)), (day, Signed(day))]))
            .Message.ShouldContain("challenge period");
        ChannelContract.EncodeBatch([(lastNonce, Signed(lastNonce))]).AsSpan(4 + 20, 5).ToArray().ShouldAllBe(b => b == 0xFF);
        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch([(tooFar, Signed(tooFar))])).Message.ShouldContain("40 bits");
    }
}
