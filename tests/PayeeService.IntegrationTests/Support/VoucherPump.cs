using System.Numerics;
using Settlement.Channels.Transport;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// Streams increasing vouchers (+1 each) over a <see cref="PayeeStreamClient"/> with up to a window of them in flight,
/// until <c>stop</c> completes or the connection breaks; records what the payee acknowledged.
/// </summary>
internal sealed class VoucherPump
{
    private readonly Lock _lock = new();
    private BigInteger _highest;
    private long _accepted;
    private long _refused;
    private volatile bool _broken;

    /// <summary>The highest amount ACKed accepted.</summary>
    public BigInteger HighestAccepted
    {
        get
        {
            lock (_lock)
            {
                return _highest;
            }
        }
    }

    /// <summary>Vouchers ACKed accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Vouchers ACKed anything but accepted.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The next amount that was not sent.</summary>
    public BigInteger Next { get; private set; }

    /// <summary>Streams from <paramref name="from"/> until <paramref name="stop"/> completes or the connection fails.</summary>
    public static async Task<VoucherPump> RunAsync(PayeeStreamClient client, TestChannel channel, BigInteger from, int window, Task stop)
    {
        var pump = new VoucherPump();
        using var slots = new SemaphoreSlim(window, window);
        var next = from;
        var pending = new List<Task>();
        while (!stop.IsCompleted && !pump._broken)
        {
            if (!await slots.WaitAsync(TimeSpan.FromMilliseconds(20)))
            {
                continue;
            }

            var amount = next++;
            pending.Add(client.SendAsync(channel.Voucher(amount)).ContinueWith(
                t =>
                {
                    slots.Release();
                    if (t.IsCompletedSuccessfully)
                    {
                        pump.Record(amount, t.Result);
                    }
                    else
                    {
                        pump._broken = true;
                    }
                },
                TaskScheduler.Default));
        }

        await stop;

        // Once the payee is gone every voucher still waiting fails; those ACKed before are recorded.
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));
        pump.Next = next;
        return pump;
    }

    private void Record(BigInteger amount, AckFrame ack)
    {
        if (ack.Outcome != AckOutcome.Accepted || ack.StoredAmount != amount)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        Interlocked.Increment(ref _accepted);
        lock (_lock)
        {
            _highest = BigInteger.Max(_highest, amount);
        }
    }
}
