using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Ledger;
using Settlement.Service.Ledger.Expiry;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Ledger.Expiry;

/// <summary>
/// The expiry service on a fake clock shared by the timer and the store: a pass at start and one per interval, no pass
/// before the interval, a due reservation released at the next tick, a failed pass logged and retried, and a clean stop.
/// Each test waits for the store to report the service's pass (no sleeps) and reads the log after <c>StopAsync</c>,
/// when the loop has ended.
/// </summary>
public sealed class PendingExpiryServiceTests
{
    private const string FailedMessage = "Pending-transfer expiry pass failed; retrying at the next interval";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly CapturingLogger<PendingExpiryService> _log = new();

    private PendingExpiryService Service(ILedgerStore store, TimeSpan interval) =>
        new(store, Options.Create(new PendingExpiryOptions { Interval = interval }), _time, _log);

    [Fact]
    public async Task ExecuteAsync_PendingPastItsTimeout_ExpiredAtTheNextTickOnceAndLogged()
    {
        var ledger = new InMemorySettlementStore(_time);
        (await ledger.CreateAccountsAsync([new Account(1, LedgerAssets.Gbp, (ushort)AccountCode.User), new Account(2, LedgerAssets.Gbp, (ushort)AccountCode.Merchant)]))
            .ShouldBe([CreateAccountResult.Ok, CreateAccountResult.Ok]);
        (await ledger.CreateTransfersAsync([new Transfer(10, 1, 2, 500, LedgerAssets.Gbp, 1, TransferFlags.Pending, Timeout: 10)]))
            .ShouldBe([CreateTransferResult.Ok]);
        var store = new ScriptedExpiryStore(_time) { Next = ledger.ExpirePendingAsync };
        using var service = Service(store, TimeSpan.FromSeconds(5));

        await service.StartAsync(CancellationToken.None);
        (await store.PassFinishedAsync()).ShouldBe([]); // the pass at start
        _time.Advance(TimeSpan.FromSeconds(5));
        (await store.PassFinishedAsync()).ShouldBe([]); // 5 s in: not due
        (await ledger.LookupAccountsAsync([1])).Single().DebitsPending.ShouldBe((UInt128)500);
        _time.Advance(TimeSpan.FromSeconds(5));
        (await store.PassFinishedAsync()).ShouldBe([(UInt128)10]);
        var debit = (await ledger.LookupAccountsAsync([1])).Single();
        var credit = (await ledger.LookupAccountsAsync([2])).Single();
        (debit.DebitsPending, debit.DebitsPosted, credit.CreditsPending, credit.CreditsPosted).ShouldBe((UInt128.Zero, UInt128.Zero, UInt128.Zero, UInt128.Zero));
        (await ledger.CreateTransfersAsync([new Transfer(11, 0, 0, 0, 0, 0, TransferFlags.PostPending, PendingId: 10)]))
            .ShouldBe([CreateTransferResult.PendingTransferExpired]);
        _time.Advance(TimeSpan.FromSeconds(5));
        (await store.PassFinishedAsync()).ShouldBe([]); // expired once, not again
        await service.StopAsync(CancellationToken.None);

        _log.Entries.ShouldBe([(LogLevel.Information, 1, "Expired 1 pending ledger transfers", null)]);
        var journal = await ledger.VerifyJournalAsync(); // the stores' verifier over the rows the engine wrote
        (journal.Ok, journal.Entries, journal.BrokenSeq, journal.Problem).ShouldBe((true, 4L, (long?)null, (string?)null));
        ledger.Entries.ShouldBe(4); // two accounts, the pending transfer, its expiry: the refused post wrote nothing
    }

    [Fact]
    public async Task ExecuteAsync_ClockJustShortOfTheInterval_NoPassUntilItIsReached()
    {
        var store = new ScriptedExpiryStore(_time);
        using var service = Service(store, TimeSpan.FromSeconds(5));

        await service.StartAsync(CancellationToken.None);
        (await store.PassStartedAsync()).ShouldBe(T0);
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        (await store.PassStartedAsync()).ShouldBe(T0.AddSeconds(5)); // a pass at 4.999 s would have been read here
        _time.Advance(TimeSpan.FromSeconds(5));
        (await store.PassStartedAsync()).ShouldBe(T0.AddSeconds(10));
        await service.StopAsync(CancellationToken.None);
        store.Passes.ShouldBe(3);
        _log.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_StoreFails_LoggedAsWarningAndRetriedAtTheNextTick()
    {
        var store = new ScriptedExpiryStore(_time);
        var fault = new InvalidOperationException("database is locked");
        store.Next = _ => Task.FromException<IReadOnlyList<UInt128>>(fault);
        using var service = Service(store, TimeSpan.FromSeconds(2));

        await service.StartAsync(CancellationToken.None);
        (await store.PassFinishedAsync()).ShouldBeNull();
        store.Next = _ => Task.FromResult<IReadOnlyList<UInt128>>([7, 8]);
        _time.Advance(TimeSpan.FromSeconds(2));
        (await store.PassFinishedAsync()).ShouldBe([(UInt128)7, 8]);
        await service.StopAsync(CancellationToken.None);

        service.ExecuteTask.ShouldNotBeNull().IsCompletedSuccessfully.ShouldBeTrue();
        _log.Entries.ShouldBe(
        [
            (LogLevel.Warning, 2, FailedMessage, fault),
            (LogLevel.Information, 1, "Expired 2 pending ledger transfers", null),
        ]);
    }

    [Fact]
    public async Task ExecuteAsync_CanceledByTheStoreNotByStop_LoggedAndRetried()
    {
        var store = new ScriptedExpiryStore(_time);
        var canceled = new OperationCanceledException("the database command timed out");
        store.Next = _ => Task.FromException<IReadOnlyList<UInt128>>(canceled);
        using var service = Service(store, TimeSpan.FromSeconds(2));

        await service.StartAsync(CancellationToken.None);
        (await store.PassFinishedAsync()).ShouldBeNull();
        _time.Advance(TimeSpan.FromSeconds(2));
        (await store.PassFinishedAsync()).ShouldBeNull();
        await service.StopAsync(CancellationToken.None);

        store.Passes.ShouldBe(2);
        _log.Entries.ShouldBe([(LogLevel.Warning, 2, FailedMessage, canceled), (LogLevel.Warning, 2, FailedMessage, canceled)]);
    }

    [Fact]
    public async Task StopAsync_DuringAPass_CancelsItAndEndsWithoutLogging()
    {
        var store = new ScriptedExpiryStore(_time);
        var seen = CancellationToken.None;
        store.Next = async token =>
        {
            seen = token;
            await Task.Delay(Timeout.Infinite, token); // only the stop ends it
            return [];
        };
        using var service = Service(store, TimeSpan.FromSeconds(2));

        await service.StartAsync(CancellationToken.None);
        (await store.PassStartedAsync()).ShouldBe(T0);
        await service.StopAsync(CancellationToken.None);

        seen.IsCancellationRequested.ShouldBeTrue();
        (await store.PassFinishedAsync()).ShouldBeNull();
        service.ExecuteTask.ShouldNotBeNull().IsCompletedSuccessfully.ShouldBeTrue();
        _time.Advance(TimeSpan.FromHours(1));
        store.Passes.ShouldBe(1);
        _log.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task StopAsync_BetweenPasses_LoopEndsAndNoMorePasses()
    {
        var store = new ScriptedExpiryStore(_time);
        using var service = Service(store, TimeSpan.FromSeconds(2));

        await service.StartAsync(CancellationToken.None);
        (await store.PassFinishedAsync()).ShouldBe([]);
        await service.StopAsync(CancellationToken.None);

        service.ExecuteTask.ShouldNotBeNull().IsCompletedSuccessfully.ShouldBeTrue();
        _time.Advance(TimeSpan.FromHours(1));
        store.Passes.ShouldBe(1);
        _log.Entries.ShouldBeEmpty();
    }
}
