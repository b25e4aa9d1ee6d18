using System.Numerics;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Tests.Payer.Storage;

public sealed class StoredPayerChannelTests
{
    [Fact]
    public void Exposure_IsSignedLessAcknowledgedAndNeverNegative()
    {
        using var w = new PayerWorld(1_000);
        var record = new PayerChannelRecord(w.Key, w.Parameters, 1_000, 0, null, PayerChannelStatus.Open);
        var signed = w.Contract.SignVoucher(w.PayerKey, w.Key.ChannelId, 300);

        new StoredPayerChannel(record, null, 0, null).Exposure.ShouldBe(BigInteger.Zero);
        new StoredPayerChannel(record, signed, 120, null).Exposure.ShouldBe(new BigInteger(180));
        new StoredPayerChannel(record, signed, 300, null).Exposure.ShouldBe(BigInteger.Zero);
        new StoredPayerChannel(record, signed, 400, null).Exposure.ShouldBe(BigInteger.Zero);
        new StoredPayerChannel(record, signed, 120, null).SignedAmount.ShouldBe(new BigInteger(300));
    }
}
