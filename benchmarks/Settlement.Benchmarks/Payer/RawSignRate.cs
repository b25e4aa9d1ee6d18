using System.Diagnostics;

namespace Settlement.Benchmarks.Payer;

/// <summary>
/// The baseline every payer figure is paired with: raw libsecp256k1 <c>sign_recoverable</c> (the direct P/Invoke of
/// <see cref="Secp256k1Benchmarks.RawSign"/>, no hashing, no wrapper) on one thread, timed just before or after each
/// measured run so both see the same machine load.
/// </summary>
internal sealed class RawSignRate : IDisposable
{
    private readonly Secp256k1Benchmarks _raw = new();

    public RawSignRate()
    {
        _raw.Setup();
        Measure(TimeSpan.FromMilliseconds(300)); // tiered JIT: hot before the first timed round
    }

    /// <summary>Signatures per second on the calling thread over about <paramref name="duration"/>.</summary>
    public double Measure(TimeSpan duration)
    {
        var calls = 0L;
        var start = Stopwatch.GetTimestamp();
        TimeSpan elapsed;
        do
        {
            for (var i = 0; i < 200; i++)
            {
                _raw.RawSign();
            }

            calls += 200;
            elapsed = Stopwatch.GetElapsedTime(start);
        }
        while (elapsed < duration);

        return calls / elapsed.TotalSeconds;
    }

    public void Dispose() => _raw.Dispose();
}
