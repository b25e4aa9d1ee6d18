using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>
/// Runs the settlement flows (top-ups, merchant payouts) as persisted state machines over an <see cref="IFlowStore"/>.
/// Every external step is idempotent by a key derived from the flow id (ledger transfer ids, the bank operation id, the
/// chain step key), and the new state is saved after each step with optimistic concurrency: a crash between any two
/// steps, or a second runner on the same flow, redoes at most the last step, which answers the same effect
/// (docs/flows.md). Refusals are data; transient faults of the bank or the chain throw and leave the flow where it was.
/// </summary>
public sealed partial class SettlementFlows
{
    private const int MaxStepsPerAdvance = 64;

    private readonly IFlowStore _store;
    private readonly ILedgerStore _ledger;
    private readonly IBankPayments _bank;
    private readonly IChainActions _chain;
    private readonly IChainConfirmations _confirmations;
    private readonly IMerchantBalances _balances;
    private readonly PayoutOptions _payouts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<FlowCheckpoint, CancellationToken, ValueTask>? _onCheckpoint;
    private readonly IBankSweeps? _sweeps;
    private readonly ISweepingConsentStore? _consents;
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>A runner over <paramref name="store"/> and the ledger, bank, chain and confirmations it drives.</summary>
    /// <param name="store">Where the flows live.</param>
    /// <param name="ledger">The GBP ledger (<see cref="LedgerAssets.Gbp"/>).</param>
    /// <param name="bank">Bank payments (PIS).</param>
    /// <param name="chain">Chain transactions.</param>
    /// <param name="confirmations">The indexer's confirmations.</param>
    /// <param name="balances">The merchants' tGBP balances.</param>
    /// <param name="payouts">The payout batch rules and merchants.</param>
    /// <param name="time">The clock (schedule slots, timestamps).</param>
    /// <param name="logger">Logs (never secrets).</param>
    /// <param name="onCheckpoint">Called at every <see cref="FlowCheckpoint"/> (diagnostics, fault injection).</param>
    /// <param name="sweeps">Sweeping VRP payments (recharges); null: recharges are not offered.</param>
    /// <param name="consents">The registered sweeping consents (recharges); null: recharges are not offered.</param>
    public SettlementFlows(
        IFlowStore store,
        ILedgerStore ledger,
        IBankPayments bank,
        IChainActions chain,
        IChainConfirmations confirmations,
        IMerchantBalances balances,
        PayoutOptions payouts,
        TimeProvider? time = null,
        ILogger<SettlementFlows>? logger = null,
        Func<FlowCheckpoint, CancellationToken, ValueTask>? onCheckpoint = null,
        IBankSweeps? sweeps = null,
        ISweepingConsentStore? consents = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(confirmations);
        ArgumentNullException.ThrowIfNull(balances);
        ArgumentNullException.ThrowIfNull(payouts);
        _store = store;
        _ledger = ledger;
        _bank = bank;
        _chain = chain;
        _confirmations = confirmations;
        _balances = balances;
        _payouts = payouts;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _onCheckpoint = onCheckpoint;
        _sweeps = sweeps;
        _consents = consents;
    }

    /// <summary>
    /// Runs the flow's steps until it has to wait (bank, chain, indexer) or is finished, and returns it; null when no
    /// flow has this id. A transient fault of the bank or chain throws; the flow stays in its last saved state.
    /// </summary>
    public async Task<FlowSnapshot?> AdvanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < MaxStepsPerAdvance; i++)
            {
                var stored = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    return null;
                }

                var moved = stored.Kind switch
                {
                    FlowKind.Topup or FlowKind.Recharge => await StepTopupAsync(FlowCodec.DecodeTopup(stored), cancellationToken).ConfigureAwait(false),
                    FlowKind.Payout => await StepPayoutAsync(FlowCodec.DecodePayout(stored), cancellationToken).ConfigureAwait(false),
                    _ => throw new InvalidDataException($"Flow {id:N} has unknown kind {stored.Kind}."),
                };
                if (!moved)
                {
                    return FlowCodec.Snapshot(stored);
                }
            }

            throw new InvalidOperationException($"Flow {id:N} did not come to rest after {MaxStepsPerAdvance} steps.");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Advances every unfinished flow once (at start-up and on a timer). One flow's fault does not stop the others: it
    /// is logged and the flow is retried at the next pass.
    /// </summary>
    public async Task<IReadOnlyList<FlowSnapshot>> ResumeAllAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<FlowSnapshot>();
        foreach (var stored in await _store.ListAsync(null, unfinishedOnly: true, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await AdvanceAsync(stored.Id, cancellationToken).ConfigureAwait(false) is { } snapshot)
                {
                    result.Add(snapshot);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One flow's fault (bank or node down, a corrupt row) must not stop the others; the next pass retries.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogAdvanceFailed(stored.Id, stored.Kind, e.GetType().Name, e);
                if (e is not InvalidDataException)
                {
                    // As stored (a corrupt row has no snapshot; it is logged and left for an operator).
                    result.Add(FlowCodec.Snapshot((await _store.GetAsync(stored.Id, cancellationToken).ConfigureAwait(false))!));
                }
            }
        }

        return result;
    }

    /// <summary>The flow, or null.</summary>
    public async Task<FlowSnapshot?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } stored ? FlowCodec.Snapshot(stored) : null;

    /// <summary>The top-up, or null (also when the id names a payout).</summary>
    public async Task<TopupFlow?> GetTopupAsync(Guid id, CancellationToken cancellationToken = default) =>
        await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { Kind: FlowKind.Topup } stored ? FlowCodec.DecodeTopup(stored) : null;

    /// <summary>The recharge, or null (also when the id names another kind).</summary>
    public async Task<TopupFlow?> GetRechargeAsync(Guid id, CancellationToken cancellationToken = default) =>
        await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { Kind: FlowKind.Recharge } stored ? FlowCodec.DecodeTopup(stored) : null;

    /// <summary>The payout, or null (also when the id names a top-up).</summary>
    public async Task<PayoutFlow?> GetPayoutAsync(Guid id, CancellationToken cancellationToken = default) =>
        await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { Kind: FlowKind.Payout } stored ? FlowCodec.DecodePayout(stored) : null;

    /// <summary>Flows of <paramref name="kind"/> (all when null), only unfinished ones when asked, oldest first.</summary>
    public async Task<IReadOnlyList<FlowSnapshot>> ListAsync(FlowKind? kind = null, bool unfinishedOnly = false, CancellationToken cancellationToken = default) =>
        (await _store.ListAsync(kind, unfinishedOnly, cancellationToken).ConfigureAwait(false)).Select(FlowCodec.Snapshot).ToList();

    /// <summary>The flow's audit trail, oldest first.</summary>
    public Task<IReadOnlyList<FlowTransition>> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
        _store.GetTransitionsAsync(id, cancellationToken);

    /// <summary>
    /// Records that the bank returned the flow's completed payment (a top-up the user's bank recalled, a payout the
    /// merchant's bank sent back) and advances the flow, which reverses it in the ledger or reports it. Idempotent.
    /// </summary>
    public async Task<BankReturnResult> RecordBankReturnAsync(Guid id, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var stored = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    return new BankReturnResult(BankReturnOutcome.NotFound, null);
                }

                var bankReturn = new BankReturn(reason, _time.GetUtcNow());
                StoredFlow next;
                switch (stored.Kind)
                {
                    case FlowKind.Topup or FlowKind.Recharge:
                        var topup = FlowCodec.DecodeTopup(stored);
                        if (topup.Return is not null)
                        {
                            return new BankReturnResult(BankReturnOutcome.AlreadyRecorded, FlowCodec.Snapshot(stored));
                        }

                        if (topup.State is not (TopupFlowState.Credited or TopupFlowState.FundingReserved or TopupFlowState.AwaitingConfirmation
                            or TopupFlowState.Funded or TopupFlowState.FundingFailed))
                        {
                            return new BankReturnResult(BankReturnOutcome.NotReturnable, FlowCodec.Snapshot(stored));
                        }

                        next = FlowCodec.Encode(topup with { Return = bankReturn, Version = topup.Version + 1, UpdatedAt = bankReturn.RecordedAt });
                        break;
                    case FlowKind.Payout:
                        var payout = FlowCodec.DecodePayout(stored);
                        if (payout.Return is not null)
                        {
                            return new BankReturnResult(BankReturnOutcome.AlreadyRecorded, FlowCodec.Snapshot(stored));
                        }

                        if (payout.State != PayoutFlowState.Paid)
                        {
                            return new BankReturnResult(BankReturnOutcome.NotReturnable, FlowCodec.Snapshot(stored));
                        }

                        next = FlowCodec.Encode(payout with { Return = bankReturn, Version = payout.Version + 1, UpdatedAt = bankReturn.RecordedAt });
                        break;
                    default:
                        throw new InvalidDataException($"Flow {id:N} has unknown kind {stored.Kind}.");
                }

                if (await _store.TryUpdateAsync(next, "bank-returned", reason, cancellationToken).ConfigureAwait(false))
                {
                    LogReturnRecorded(id, stored.Kind, stored.State);
                    break;
                }
            }
        }
        finally
        {
            gate.Release();
        }

        return new BankReturnResult(BankReturnOutcome.Recorded, await AdvanceAsync(id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Saves <paramref name="next"/> (its version is the stored one + 1); true either way (on a conflict the caller reloads).</summary>
    private async Task<bool> SaveAsync(StoredFlow next, string fromState, string @event, string? detail, CancellationToken cancellationToken)
    {
        if (!await _store.TryUpdateAsync(next, @event, detail, cancellationToken).ConfigureAwait(false))
        {
            LogConcurrentUpdate(next.Id, next.Kind, fromState);
            return true;
        }

        LogTransition(next.Id, next.Kind, fromState, next.State, @event);
        await CheckpointAsync(next.Id, next.Kind, "saved:" + next.State, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private ValueTask CheckpointAsync(Guid id, FlowKind kind, string name, CancellationToken cancellationToken) =>
        _onCheckpoint is null ? ValueTask.CompletedTask : _onCheckpoint(new FlowCheckpoint(id, kind, name), cancellationToken);

    /// <summary>Creates the accounts (idempotent) and applies one transfer; its result (Ok and Exists count as applied).</summary>
    /// <exception cref="InvalidOperationException">An account exists with another definition (a configuration bug).</exception>
    private async Task<CreateTransferResult> BookAsync(Transfer transfer, IReadOnlyList<Account> accounts, CancellationToken cancellationToken)
    {
        if (accounts.Count > 0)
        {
            var created = await _ledger.CreateAccountsAsync(accounts, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < created.Count; i++)
            {
                if (created[i] is not (CreateAccountResult.Ok or CreateAccountResult.Exists))
                {
                    throw new InvalidOperationException($"Ledger account {accounts[i].Id} cannot be created: {created[i]}.");
                }
            }
        }

        return (await _ledger.CreateTransfersAsync([transfer], cancellationToken).ConfigureAwait(false))[0];
    }

    private static bool Applied(CreateTransferResult result) => result is CreateTransferResult.Ok or CreateTransferResult.Exists;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Flow {FlowId} ({Kind}) {From} -> {To} ({Event})")]
    private partial void LogTransition(Guid flowId, FlowKind kind, string from, string to, string @event);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Flow {FlowId} ({Kind}) was moved by another runner while in {State}; reloading")]
    private partial void LogConcurrentUpdate(Guid flowId, FlowKind kind, string state);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Advancing flow {FlowId} ({Kind}) failed ({Error}); retried at the next pass")]
    private partial void LogAdvanceFailed(Guid flowId, FlowKind kind, string error, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Flow {FlowId} ({Kind}) stopped short: {Code} ({Detail})")]
    private partial void LogProblem(Guid flowId, FlowKind kind, string code, string detail);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Bank return recorded for flow {FlowId} ({Kind}) in state {State}")]
    private partial void LogReturnRecorded(Guid flowId, FlowKind kind, string state);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Top-up {FlowId} started: {AmountPence}p for user {UserId}")]
    private partial void LogTopupStarted(Guid flowId, long amountPence, string userId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Payout batch {BatchId} (slot {SlotStart:o}): {Started} started, {Skipped} skipped")]
    private partial void LogBatch(Guid batchId, DateTimeOffset slotStart, int started, int skipped);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Payout batch {BatchId}: merchant {MerchantId} skipped ({Outcome}): {Detail}")]
    private partial void LogBatchSkip(Guid batchId, string merchantId, PayoutBatchItemOutcome outcome, string detail);
}
