namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// The system clock shifted by <see cref="Offset"/>; timers stay real (the chain follower keeps polling). The tests share
/// one Anvil node whose time some tests move forward, so a payee that signs deadlines runs on the chain's time.
/// </summary>
internal sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>A clock that reads the latest block's timestamp now.</summary>
    public static async Task<ShiftedClock> ChainAlignedAsync(PayeeWorldFixture fixture)
    {
        var chain = await fixture.World.LatestTimestampAsync();
        return new ShiftedClock { Offset = TimeSpan.FromSeconds((long)chain - System.GetUtcNow().ToUnixTimeSeconds()) };
    }
}
