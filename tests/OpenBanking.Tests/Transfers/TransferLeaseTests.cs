using System.Diagnostics;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// The per-transfer lease in <see cref="SqliteTransferStore"/> (who gets it, until when, who may give it
/// back) and <see cref="TransferLeaseHolder"/>'s reading of a holder name (whose process is gone).
/// </summary>
public sealed class TransferLeaseTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(5);

    private readonly string _dir = Directory.CreateTempSubdirectory("ob-lease-").FullName;
    private readonly SqliteTransferStore _store;

    public TransferLeaseTests() => _store = new SqliteTransferStore(Path.Combine(_dir, "t.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TryAcquireLease_HeldByLiveOtherUntilExpiry_BusyUntilExactlyExpiresThenGranted()
    {
        var id = Guid.NewGuid();
        (await _store.TryAcquireLeaseAsync(id, "a", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();

        (await _store.TryAcquireLeaseAsync(id, "b", Now, Duration, NeverGone, CancellationToken.None)).ShouldBe("a");
        (await _store.TryAcquireLeaseAsync(id, "b", Now + Duration - TimeSpan.FromTicks(10), Duration, NeverGone, CancellationToken.None)).ShouldBe("a");

        // Expired at now + duration exactly: taken over, and then held by b for a full duration.
        (await _store.TryAcquireLeaseAsync(id, "b", Now + Duration, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();
        (await _store.TryAcquireLeaseAsync(id, "a", Now + Duration, Duration, NeverGone, CancellationToken.None)).ShouldBe("b");
        (await _store.TryAcquireLeaseAsync(id, "a", Now + Duration + Duration - TimeSpan.FromTicks(10), Duration, NeverGone, CancellationToken.None)).ShouldBe("b");
    }

    [Fact]
    public async Task TryAcquireLease_SameHolderAgain_GrantedAndExtended()
    {
        var id = Guid.NewGuid();
        (await _store.TryAcquireLeaseAsync(id, "a", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();
        (await _store.TryAcquireLeaseAsync(id, "a", Now + TimeSpan.FromMinutes(4), Duration, NeverGone, CancellationToken.None)).ShouldBeNull();

        // Extended from the second grant: still held after the first one would have expired.
        (await _store.TryAcquireLeaseAsync(id, "b", Now + TimeSpan.FromMinutes(6), Duration, NeverGone, CancellationToken.None)).ShouldBe("a");
    }

    [Fact]
    public async Task TryAcquireLease_HolderGone_TakenOverBeforeExpiryAndOnlyTheHolderIsAsked()
    {
        var id = Guid.NewGuid();
        (await _store.TryAcquireLeaseAsync(id, "dead", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();
        var asked = new List<string>();
        (await _store.TryAcquireLeaseAsync(id, "b", Now, Duration, h => { asked.Add(h); return h == "dead"; }, CancellationToken.None)).ShouldBeNull();
        asked.ShouldBe(["dead"]);
        (await _store.TryAcquireLeaseAsync(id, "c", Now, Duration, NeverGone, CancellationToken.None)).ShouldBe("b");
    }

    [Fact]
    public async Task TryAcquireLease_OtherTransfersLease_DoesNotBlock()
    {
        (await _store.TryAcquireLeaseAsync(Guid.NewGuid(), "a", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();
        (await _store.TryAcquireLeaseAsync(Guid.NewGuid(), "b", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task ReleaseLease_ByNonHolder_LeaseKept_ByHolder_Freed()
    {
        var id = Guid.NewGuid();
        (await _store.TryAcquireLeaseAsync(id, "a", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();

        await _store.ReleaseLeaseAsync(id, "b", CancellationToken.None);
        (await _store.TryAcquireLeaseAsync(id, "c", Now, Duration, NeverGone, CancellationToken.None)).ShouldBe("a");

        await _store.ReleaseLeaseAsync(id, "a", CancellationToken.None);
        (await _store.TryAcquireLeaseAsync(id, "c", Now, Duration, NeverGone, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public void NewInstance_HostPidStartInstance_AliveInThisProcessAndUnique()
    {
        var holder = TransferLeaseHolder.NewInstance();
        var parts = holder.Split('/');
        parts.Length.ShouldBe(4);
        parts[0].ShouldBe(Environment.MachineName);
        parts[1].ShouldBe(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        parts[3].Length.ShouldBe(8);
        TransferLeaseHolder.IsGone(holder).ShouldBeFalse();
        TransferLeaseHolder.NewInstance().ShouldNotBe(holder);
        TransferLeaseHolder.Describe(holder).ShouldBe($"{Environment.MachineName} pid {Environment.ProcessId}");
    }

    [Theory]
    [InlineData("other-host/1/1/abcd")]
    [InlineData("solo")]
    [InlineData("{host}/{pid}/1")]
    [InlineData("{host}/{pid}/1/abcd/extra")]
    [InlineData("{host}/not-a-pid/1/abcd")]
    [InlineData("{host}/-1/1/abcd")]
    [InlineData("{host}/{pid}/not-ticks/abcd")]
    public void IsGone_NotAHolderOfThisHostItCanJudge_False(string pattern)
    {
        // Unreadable, or another host's: it cannot be judged here, so it keeps the lease until it expires.
        TransferLeaseHolder.IsGone(Expand(pattern)).ShouldBeFalse();
    }

    [Fact]
    public void IsGone_ThisPidOtherStart_True()
    {
        TransferLeaseHolder.IsGone(Expand("{host}/{pid}/1/dead")).ShouldBeTrue();
    }

    [Fact]
    public void IsGone_ThisPidStartOneTickLater_TrueNoRoundingForThisProcess()
    {
        // Same pid, another start: an earlier process that had this pid. Its own start is known exactly here.
        using var self = Process.GetCurrentProcess();
        var started = self.StartTime.ToUniversalTime().Ticks;
        TransferLeaseHolder.IsGone($"{Environment.MachineName}/{Environment.ProcessId}/{started + 1}/prev").ShouldBeTrue();
        TransferLeaseHolder.IsGone($"{Environment.MachineName}/{Environment.ProcessId}/{started}/other").ShouldBeFalse();
    }

    [Fact]
    public void IsGone_NoSuchProcess_True()
    {
        TransferLeaseHolder.IsGone($"{Environment.MachineName}/{int.MaxValue}/1/dead").ShouldBeTrue();
    }

    [Fact]
    public void IsGone_LiveOtherProcess_FalseWithinOneSecondOfItsStartTrueBeyond()
    {
        using var other = Process.GetProcessById(1);
        var started = other.StartTime.ToUniversalTime().Ticks;
        string Holder(long ticks) => $"{Environment.MachineName}/1/{ticks}/live";

        TransferLeaseHolder.IsGone(Holder(started)).ShouldBeFalse();
        TransferLeaseHolder.IsGone(Holder(started + TimeSpan.TicksPerSecond)).ShouldBeFalse();
        TransferLeaseHolder.IsGone(Holder(started - TimeSpan.TicksPerSecond)).ShouldBeFalse();
        TransferLeaseHolder.IsGone(Holder(started + TimeSpan.TicksPerSecond + 1)).ShouldBeTrue();
        TransferLeaseHolder.IsGone(Holder(started - TimeSpan.TicksPerSecond - 1)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("host/42/1/abcd", "host pid 42")]
    [InlineData("host/42", "host pid 42")]
    [InlineData("solo", "solo")]
    public void Describe_HostAndPid_OrTheNameAsIs(string holder, string expected)
    {
        TransferLeaseHolder.Describe(holder).ShouldBe(expected);
    }

    private static bool NeverGone(string holder) => false;

    private static string Expand(string pattern) =>
        pattern.Replace("{host}", Environment.MachineName, StringComparison.Ordinal)
            .Replace("{pid}", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
