using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Settlement.Channels.Payer;
using Settlement.Channels.Transport;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// Random sequences of concurrent payments, acknowledgements, store faults and crashes (a new client over what the
/// store kept): a payer never signs a cumulative amount at or below one that left the process, and its exposure is
/// always signed − acknowledged as stored.
/// </summary>
public sealed class PayerDurabilityPropertyTests
{
    private static readonly Gen<int[]> Step =
        Gen.Choose(0, 9).SelectMany(kind => Gen.ArrayOf(Gen.Choose(1, 50), 1 + (kind % 6)).Select(a => (int[])[kind, .. a]));

    [Fact]
    public void PayCrashSequences_NeverSignLowerAndExposureIsSignedMinusAcknowledged()
    {
        Prop.ForAll(Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Step, n)).ToArbitrary(), steps => RunAsync(steps).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    private static async Task<bool> RunAsync(int[][] steps)
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000_000, store);
        var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        var highestOut = BigInteger.Zero;   // the highest voucher that left the process
        var expectedTotal = BigInteger.Zero;
        var seen = new HashSet<BigInteger>();
        foreach (var step in steps)
        {
            var kind = step[0];
            var amounts = step.Skip(1).Select(a => new BigInteger(a)).ToArray();
            switch (kind)
            {
                case 0 or 1 or 2 or 3 or 4:
                    // Concurrent payers.
                    var results = await Task.WhenAll(amounts.Select(a => Task.Run(() => channel.TrySignNextAsync(a))));
                    foreach (var signed in results.Cast<PaymentSigned>())
                    {
                        var amount = signed.Voucher.Voucher.CumulativeAmount;
                        if (amount <= 0 || !seen.Add(amount))
                        {
                            return false;
                        }

                        highestOut = BigInteger.Max(highestOut, amount);
                    }

                    expectedTotal += amounts.Aggregate(BigInteger.Zero, (s, a) => s + a);
                    if (channel.Signed != expectedTotal)
                    {
                        return false;
                    }

                    break;
                case 5 or 6:
                    // The payee acknowledges something it was sent.
                    var acked = highestOut - (amounts[0] % (highestOut + 1));
                    await channel.RecordAcknowledgementAsync(new AckFrame(w.Key.ChannelId, AckOutcome.Accepted, null, acked, acked));
                    break;
                case 7:
                    // A store fault during concurrent payments, then a crash.
                    store.FailAfterBatches = store.Batches;
                    foreach (var a in amounts)
                    {
                        try
                        {
                            await channel.TrySignNextAsync(a);
                            return false; // no voucher may leave the process without being stored
                        }
                        catch (InvalidOperationException)
                        {
                        }
                    }

                    store.FailAfterBatches = null;
                    goto default;
                default:
                    // Crash: drop the client without disposing it; restart from the store.
                    client = w.NewClient();
                    channel = await w.ChannelAsync(client);
                    expectedTotal = channel.Signed;
                    break;
            }

            var stored = (await store.GetChannelAsync(w.Key))!;
            if (stored.SignedAmount < highestOut || channel.Signed < highestOut)
            {
                return false;
            }

            if (channel.Exposure != channel.Signed - channel.Acknowledged || channel.Acknowledged > channel.Signed)
            {
                return false;
            }
        }

        var next = await channel.TrySignNextAsync(1);
        await client.DisposeAsync();
        return next is PaymentSigned s && s.Voucher.Voucher.CumulativeAmount > highestOut;
    }
}
