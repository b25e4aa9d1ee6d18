using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The hosted workers on the injected clock: the resume worker and the payout scheduler run a pass at start and one per
/// interval, stop with the host (also in the middle of a pass, with a tick already due), and the scheduler does nothing
/// when disabled. Every pass and batch starts by listing flows, which <see cref="HookedFlowStore"/> counts and signals;
/// the waits are bounded by <see cref="Guard"/>, never a timing assertion.
/// </summary>
public sealed class FlowWorkersTests : FlowTestBase
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ResumeInterval = TimeSpan.FromMinutes(1);

    private readonly HookedFlowStore _store;

    public FlowWorkersTests() => _store = new HookedFlowStore(Stored);

    private SettlementFlows Flows() => new(_store, Stored, Bank, Chain, Confirmations, Balances, Payouts, Clock);

    private FlowResumeWorker ResumeWorker() => new(
        Flows(), Options.Create(new SettlementFlowOptions { ResumeInterval = ResumeInterval, IndexerStream = "31337:stream" }), Clock, NullLogger<FlowResumeWorker>.Instance);

    private PayoutScheduler Scheduler() => new(Flows(), Options.Create(Payouts), Clock, NullLogger<PayoutScheduler>.Instance);

    /// <summary>Each list waits until the caller's token is cancelled: a pass that is still running when the host stops.</summary>
    private void PassesRunUntilTheHostStops() => _store.OnList = (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    [Fact]
    public async Task ResumeWorker_PassAtStartThenOneAtEachInterval_EndsWhenTheHostStops()
    {
        using var worker = ResumeWorker();
        await worker.StartAsync(CancellationToken.None);
        (await _store.NextListAsync().WaitAsync(Guard)).ShouldBe(1);

        Clock.Advance(ResumeInterval);
        (await _store.NextListAsync().WaitAsync(Guard)).ShouldBe(2);

        await worker.StopAsync(CancellationToken.None).WaitAsync(Guard);
        worker.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();
        _store.Lists.ShouldBe(2);
    }

    [Fact]
    public async Task ResumeWorker_HostStopsDuringAPassWithATickDue_NoFurtherPass()
    {
        PassesRunUntilTheHostStops();
        using var worker = ResumeWorker();
        await worker.StartAsync(CancellationToken.None);
        (await _store.NextListAsync().WaitAsync(Guard)).ShouldBe(1);
        Clock.Advance(ResumeInterval);

        await worker.StopAsync(CancellationToken.None).WaitAsync(Guard);

        worker.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();
        _store.Lists.ShouldBe(1);
    }

    [Fact]
    public async Task Scheduler_Disabled_EndsAtOnceWithoutABatch()
    {
        Payouts.Enabled = false;
        Balances.Units[MerchantId] = 5_000_000;
        using var scheduler = Scheduler();

        await scheduler.StartAsync(CancellationToken.None);
        await scheduler.ExecuteTask!.WaitAsync(Guard);

        _store.Lists.ShouldBe(0);
        (await Stored.ListAsync(null, unfinishedOnly: false)).ShouldBeEmpty();
        await scheduler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Scheduler_Enabled_BatchAtStartThenOneAtEachInterval()
    {
        Balances.Units[MerchantId] = 5_000_000;
        using var scheduler = Scheduler();
        await scheduler.StartAsync(CancellationToken.None);
        (await _store.NextListAsync().WaitAsync(Guard)).ShouldBe(1);

        Clock.Advance(TimeSpan.FromDays(1));
        (await _store.NextListAsync().WaitAsync(Guard)).ShouldBe(2);
        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Guard);

        scheduler.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();
        _store.Lists.ShouldBe(2);
        var payouts = await Stored.ListAsync(FlowKind.Payout, unfinishedOnly: false);
        payouts.Count.ShouldBe(2);
        payouts[0].State.ShouldBe("Paid");
        payouts[0].Id.ShouldBe(Guid.Parse("df0e0ca7-29a1-8a88-ad05-174c51c9ed9f")); // the 1 March slot's (Vectors/flow-ids.py)
    }

    [Fact]
    public async Task Scheduler_HostStopsDuringABatchWithATickDue_NoFurtherBatch()
    {
        PassesRunUntilTheHostStops();
        using var scheduler = Scheduler();
        await scheduler.StartAsync(CancellationToken.None);
        (await _store.NextListAsync().WaitAsync(Guard)).ShouldBe(1);
        Clock.Advance(TimeSpan.FromDays(1));

        await scheduler.StopAsync(CancellationToken.None).WaitAsync(Guard);

        scheduler.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();
        _store.Lists.ShouldBe(1);
    }
}
