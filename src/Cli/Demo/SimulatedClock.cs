namespace Settlement.Cli.Demo;

/// <summary>
/// A clock the demo moves by hand, so a two-minute video is "played" in a moment while the per-second meter sees every
/// second of it. Only the metering uses it; connections and retries keep the system clock.
/// </summary>
internal sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
