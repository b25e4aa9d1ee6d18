using Microsoft.Extensions.Options;
using Settlement.Channels.Payee;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// Figure 3: managed memory per open channel held by the engine. A fresh engine tracks <see cref="Channels"/> channels
/// through <see cref="BenchChannels"/> (each view is built on request, so it is counted) and accepts one voucher for
/// each; the store keeps nothing (<see cref="DiscardingVoucherStore"/>), so the difference of
/// <c>GC.GetTotalMemory(true)</c> before and after, divided by the count, is the engine's own cost per channel. The
/// signed vouchers exist before the first reading and are not counted.
/// </summary>
internal static class ChannelMemory
{
    public const int Channels = 100_000;

    public static async Task<List<double>> RunAsync(int runs)
    {
        using var channels = new BenchChannels(Channels, payers: 1);
        var vouchers = channels.Sign(1);
        var perChannel = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            var engine = new PayeeEngine(Options.Create(channels.Options()), new DiscardingVoucherStore(), channels);
            await engine.StartAsync();
            var pending = new Task<VoucherOutcome>[vouchers.Length];
            var before = GC.GetTotalMemory(forceFullCollection: true);
            for (var i = 0; i < vouchers.Length; i++)
            {
                if (!await engine.TrackAsync(vouchers[i].Key))
                {
                    throw new InvalidOperationException("A channel was not tracked.");
                }

                pending[i] = engine.SubmitAsync(vouchers[i]).AsTask();
            }

            foreach (var outcome in pending)
            {
                if (await outcome is not VoucherAccepted)
                {
                    throw new InvalidOperationException($"A voucher was not accepted: {await outcome}.");
                }
            }

            Array.Clear(pending);
            var after = GC.GetTotalMemory(forceFullCollection: true);
            if (engine.ChannelCount != Channels)
            {
                throw new InvalidOperationException($"The engine holds {engine.ChannelCount} channels.");
            }

            if (run > 0)
            {
                perChannel.Add((after - before) / (double)Channels);
            }

            GC.KeepAlive(engine);
            await engine.DisposeAsync();
        }

        return perChannel;
    }
}
