using System.Diagnostics;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// The baseline every payee figure is paired with: raw libsecp256k1 <c>parse_compact + recover</c> (the same direct
/// P/Invoke as <see cref="Secp256k1Benchmarks.RawRecover"/>) on one thread, timed just before or after each measured
/// run so both see the same machine load.
/// </summary>
internal sealed class RawRecoverRate : IDisposable
{
    private readonly Secp256k1Benchmarks _raw = new();

    public RawRecoverRate()
    {
        _raw.Setup();

        // Tiered JIT: run it hot before the first timed round.
        Measure(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Recovers per second on the calling thread over about <paramref name="duration"/>.</summary>
    public double Measure(TimeSpan duration)
    {
        var calls = 0L;
        var start = Stopwatch.GetTimestamp();
        TimeSpan elapsed;
        do
        {
            for (var i = 0; i < 200; i++)
            {
                _raw.RawRecover();
            }

            calls += 200;
            elapsed = Stopwatch.GetElapsedTime(start);
        }
        while (elapsed < duration);

        return calls / elapsed.TotalSeconds;
    }

    public void Dispose() => _raw.Dispose();
}
