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
        var channel = new ChannelParameters(key.Address, Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), Address.Zero, 0x01020304, 0x0A0B0C0D0E0F1011);

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

        batch.Length.ShouldBe(2 * ChannelContract.BatchItemSize);
        for (var i = 0; i < 2; i++)
        {
            var item = batch.AsSpan(i * ChannelContract.BatchItemSize, ChannelContract.BatchItemSize).ToArray();
            var signature = items[i].Item2.Signature;
            item[..20].ShouldBe(key.Address.Bytes.ToArray());
            item[20..24].ShouldBe(new byte[] { 1, 2, 3, 4 });
            item[24..32].ShouldBe(new byte[] { 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11 });
            new BigInteger(item[32..44], isUnsigned: true, isBigEndian: true).ShouldBe(items[i].Item2.Voucher.CumulativeAmount);
            item[44..76].ShouldBe(signature.R.ToArray());
            (item[76] >> 7).ShouldBe((int)signature.RecoveryId);
            var s = item[76..108];
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
        packed.AsSpan(32, 12).ToArray().ShouldAllBe(b => b == 0xFF);
        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch([(channel, new SignedVoucher(tooBig, tooBig.Sign(key, Domain)))]));
        Should.Throw<ArgumentException>(() => ChannelContract.EncodeBatch([]));
    }
}
