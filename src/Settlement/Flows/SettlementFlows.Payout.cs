using System.Globalization;
using Settlement.OpenBanking.Pis;
using Settlement.Service.Conversion;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>The payout flow: burn the merchant's tGBP → book payable, fee and a pending payout → PIS payout → post or void.</summary>
public sealed partial class SettlementFlows
{
    /// <summary>
    /// Runs the payout batch of the current schedule slot (<see cref="PayoutOptions.Interval"/> slots since the Unix
    /// epoch on the injected clock): for each configured merchant whose balance has at least
    /// <see cref="PayoutOptions.MinimumPence"/> whole pence and more than the fee, creates the merchant's payout of this
    /// batch (its id derives from the slot and the merchant, so a second run or a second runner in the slot finds it
    /// and pays nothing twice) and advances it. Sub-penny remainders stay with the merchant on chain.
    /// </summary>
    public Task<PayoutBatchResult> RunPayoutBatchAsync(CancellationToken cancellationToken = default) =>
        RunPayoutBatchCoreAsync(_payouts.Merchants.Select(m => m.Id!).ToList(), cancellationToken);

    /// <summary>
    /// <see cref="RunPayoutBatchAsync(CancellationToken)"/> for these merchants only (an operator paying one merchant
    /// now): the same slot, batch and flow ids, so it never pays a merchant twice in a slot. An id that is not a
    /// configured merchant gets an <see cref="PayoutBatchItemOutcome.UnknownMerchant"/> line and nothing else.
    /// </summary>
    public Task<PayoutBatchResult> RunPayoutBatchAsync(IReadOnlyCollection<string> merchantIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(merchantIds);
        return RunPayoutBatchCoreAsync(merchantIds, cancellationToken);
    }

    private async Task<PayoutBatchResult> RunPayoutBatchCoreAsync(IReadOnlyCollection<string> merchantIds, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var slotStart = SlotStart(now, _payouts.Interval);
        var batchId = FlowIds.PayoutBatch(slotStart.UtcTicks);
        var unfinished = (await _store.ListAsync(FlowKind.Payout, unfinishedOnly: true, cancellationToken).ConfigureAwait(false))
            .Select(FlowCodec.DecodePayout).ToList();
        var items = new List<PayoutBatchItem>();
        foreach (var merchantId in merchantIds)
        {
            items.Add(_payouts.FindMerchant(merchantId) is { } merchant
                ? await PayMerchantAsync(batchId, merchant, unfinished, now, cancellationToken).ConfigureAwait(false)
                : Skip(batchId, merchantId, PayoutBatchItemOutcome.UnknownMerchant, 0, $"'{merchantId}' is not a configured merchant"));
        }

        var started = items.Count(i => i.Outcome == PayoutBatchItemOutcome.Started);
        LogBatch(batchId, slotStart, started, items.Count - started);
        return new PayoutBatchResult(batchId, slotStart, items);
    }

    /// <summary>The start of the schedule slot that holds <paramref name="now"/>.</summary>
    internal static DateTimeOffset SlotStart(DateTimeOffset now, TimeSpan interval)
    {
        var sinceEpoch = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return DateTimeOffset.UnixEpoch.AddTicks(sinceEpoch - (sinceEpoch % interval.Ticks));
    }

    private async Task<PayoutBatchItem> PayMerchantAsync(Guid batchId, PayoutMerchant merchant, List<PayoutFlow> unfinished, DateTimeOffset now, CancellationToken ct)
    {
        var merchantId = merchant.Id!;
        var flowId = FlowIds.PayoutFlow(batchId, merchantId);
        if (await _store.GetAsync(flowId, ct).ConfigureAwait(false) is { } existing)
        {
            return await AdvanceInBatchAsync(merchantId, FlowCodec.DecodePayout(existing), PayoutBatchItemOutcome.AlreadyInBatch, ct).ConfigureAwait(false);
        }

        if (unfinished.FirstOrDefault(p => string.Equals(p.Order.MerchantId, merchantId, StringComparison.Ordinal)) is { } previous)
        {
            return Skip(batchId, merchantId, PayoutBatchItemOutcome.PreviousPayoutUnfinished, 0, $"payout {previous.Id:N} is {previous.State}");
        }

        var balance = await _balances.GetBalanceAsync(merchant, ct).ConfigureAwait(false);
        var wholePence = balance / (UInt128)StablecoinRate.BaseUnitsPerPenny;
        var pence = wholePence > (UInt128)long.MaxValue ? long.MaxValue : (long)wholePence;
        if (pence < _payouts.MinimumPence)
        {
            return Skip(batchId, merchantId, PayoutBatchItemOutcome.BelowMinimum, pence,
                string.Create(CultureInfo.InvariantCulture, $"{pence}p is below the minimum {_payouts.MinimumPence}p"));
        }

        if (_payouts.FeePence >= pence)
        {
            return Skip(batchId, merchantId, PayoutBatchItemOutcome.FeeNotCovered, pence,
                string.Create(CultureInfo.InvariantCulture, $"the fee {_payouts.FeePence}p is not less than {pence}p"));
        }

        var order = new PayoutOrder(
            batchId, merchantId, merchant.Address!.ToLowerInvariant(), merchant.Bank!,
            new AccountIdentification(merchant.AccountScheme, merchant.AccountIdentification!, merchant.AccountName!), pence, _payouts.FeePence);
        var flow = new PayoutFlow { Id = flowId, Order = order, State = PayoutFlowState.Created, Version = 1, CreatedAt = now, UpdatedAt = now };
        if (!await _store.TryInsertAsync(FlowCodec.Encode(flow.Validate()), "created", ct).ConfigureAwait(false))
        {
            // Another runner created it between the lookup and the insert: its amount stands.
            var stored = FlowCodec.DecodePayout((await _store.GetAsync(flowId, ct).ConfigureAwait(false))!);
            return await AdvanceInBatchAsync(merchantId, stored, PayoutBatchItemOutcome.AlreadyInBatch, ct).ConfigureAwait(false);
        }

        return await AdvanceInBatchAsync(merchantId, flow, PayoutBatchItemOutcome.Started, ct).ConfigureAwait(false);
    }

    private PayoutBatchItem Skip(Guid batchId, string merchantId, PayoutBatchItemOutcome outcome, long pence, string detail)
    {
        LogBatchSkip(batchId, merchantId, outcome, detail);
        return new PayoutBatchItem(merchantId, outcome, pence, null, null, detail);
    }

    private async Task<PayoutBatchItem> AdvanceInBatchAsync(string merchantId, PayoutFlow flow, PayoutBatchItemOutcome outcome, CancellationToken ct)
    {
        try
        {
            await AdvanceAsync(flow.Id, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A bank or node fault for one merchant must not stop the batch; the resume worker retries the flow.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogAdvanceFailed(flow.Id, FlowKind.Payout, e.GetType().Name, e);
            return new PayoutBatchItem(merchantId, PayoutBatchItemOutcome.AdvanceFailed, flow.Order.AmountPence, flow.Id, flow.State, e.GetType().Name);
        }

        var now = (await GetPayoutAsync(flow.Id, ct).ConfigureAwait(false))!;
        return new PayoutBatchItem(merchantId, outcome, now.Order.AmountPence, now.Id, now.State, now.Problem?.Detail);
    }

    /// <summary>One step of a payout; true when it saved (or lost a race), false when it has to wait or is finished.</summary>
    private async Task<bool> StepPayoutAsync(PayoutFlow flow, CancellationToken ct)
    {
        var o = flow.Order;
        var payable = SettlementAccounts.MerchantPayable(o.MerchantId);
        var reserveId = FlowIds.LedgerTransfer(flow.Id, PayoutSteps.Reserve);
        switch (flow.State)
        {
            case PayoutFlowState.Created:
            {
                var units = (UInt128)StablecoinRate.ToBaseUnits(o.AmountPence);
                var burned = await _chain.BurnFromAsync(FlowIds.ChainStep(flow.Id, PayoutSteps.Burn), o.MerchantAddress, units, ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, FlowKind.Payout, "done:" + PayoutSteps.Burn, ct).ConfigureAwait(false);
                if (burned.Status != ChainActionStatus.Mined)
                {
                    return await StopPayoutAsync(flow, PayoutFlowState.BurnFailed, new FlowProblem("chain-reverted", burned.Error ?? "the burn reverted"), ct).ConfigureAwait(false);
                }

                var burn = new ChainStep(burned.TransactionHash.ToLowerInvariant(), burned.BlockNumber, null);
                return await SavePayoutAsync(flow, flow with { State = PayoutFlowState.BurnSubmitted, Burn = burn }, "burn-mined", burn.TransactionHash, ct).ConfigureAwait(false);
            }

            case PayoutFlowState.BurnSubmitted:
            {
                if (!await _confirmations.IsConfirmedAsync(flow.RequiredBurn.TransactionHash, ChainEventKind.TokenTransfer, ct).ConfigureAwait(false))
                {
                    return false;
                }

                var legs = new List<(string Step, Transfer Transfer, Account[] Accounts)>
                {
                    (PayoutSteps.Payable, new Transfer(
                        FlowIds.LedgerTransfer(flow.Id, PayoutSteps.Payable), SettlementAccounts.StablecoinReserve.Id, payable.Id, (ulong)o.AmountPence, LedgerAssets.Gbp,
                        (ushort)SettlementTransferCode.PayoutBurned), [SettlementAccounts.StablecoinReserve, payable]),
                };
                if (o.FeePence > 0)
                {
                    legs.Add((PayoutSteps.Fee, new Transfer(
                        FlowIds.LedgerTransfer(flow.Id, PayoutSteps.Fee), payable.Id, SettlementAccounts.Fees.Id, (ulong)o.FeePence, LedgerAssets.Gbp,
                        (ushort)SettlementTransferCode.PayoutFee), [SettlementAccounts.Fees]));
                }

                legs.Add((PayoutSteps.Reserve, new Transfer(
                    reserveId, payable.Id, SettlementAccounts.BankClearing.Id, (ulong)o.NetPence, LedgerAssets.Gbp, (ushort)SettlementTransferCode.PayoutPaid, TransferFlags.Pending),
                    [SettlementAccounts.BankClearing]));
                foreach (var (step, transfer, accounts) in legs)
                {
                    var result = await BookAsync(transfer, accounts, ct).ConfigureAwait(false);
                    await CheckpointAsync(flow.Id, FlowKind.Payout, "done:" + step, ct).ConfigureAwait(false);
                    if (!Applied(result))
                    {
                        return await StopPayoutAsync(flow, PayoutFlowState.Refused, new FlowProblem("ledger-refused", step + ": " + result), ct).ConfigureAwait(false);
                    }
                }

                return await SavePayoutAsync(flow, flow with { State = PayoutFlowState.PayoutReserved }, "burn-confirmed", null, ct).ConfigureAwait(false);
            }

            case PayoutFlowState.PayoutReserved:
            {
                var started = await _bank.StartPayoutAsync(new BankPayout(flow.BankOperationId, o.Bank, o.NetPence, o.Account, "l2pay " + flow.Id.ToString("N")[..8]), ct)
                    .ConfigureAwait(false);
                await CheckpointAsync(flow.Id, FlowKind.Payout, "done:" + PayoutSteps.BankPayout, ct).ConfigureAwait(false);
                if (started.Status == BankPaymentStatus.Conflict)
                {
                    return await VoidPayoutAsync(flow, payable, reserveId, PayoutFlowState.Refused, new FlowProblem("bank-conflict", started.Detail ?? "conflict"), ct).ConfigureAwait(false);
                }

                return await SavePayoutAsync(flow, flow with { State = PayoutFlowState.AwaitingBank }, "bank-started", null, ct).ConfigureAwait(false);
            }

            case PayoutFlowState.AwaitingBank:
            {
                var status = await _bank.GetStatusAsync(flow.BankOperationId, ct).ConfigureAwait(false);
                switch (status.Status)
                {
                    case BankPaymentStatus.Pending:
                        return false;
                    case BankPaymentStatus.Rejected or BankPaymentStatus.Failed or BankPaymentStatus.Conflict:
                        return await VoidPayoutAsync(
                            flow, payable, reserveId, PayoutFlowState.BankRejected,
                            new FlowProblem("bank-" + status.Status.ToString().ToLowerInvariant(), status.Detail ?? status.Status.ToString()), ct).ConfigureAwait(false);
                }

                var post = new Transfer(
                    FlowIds.LedgerTransfer(flow.Id, PayoutSteps.Post), payable.Id, SettlementAccounts.BankClearing.Id, (ulong)o.NetPence, LedgerAssets.Gbp,
                    (ushort)SettlementTransferCode.PayoutPaid, TransferFlags.PostPending, reserveId);
                var result = await BookAsync(post, [], ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, FlowKind.Payout, "done:" + PayoutSteps.Post, ct).ConfigureAwait(false);
                return Applied(result)
                    ? await SavePayoutAsync(flow, flow with { State = PayoutFlowState.Paid }, "bank-completed", null, ct).ConfigureAwait(false)
                    : await StopPayoutAsync(flow, PayoutFlowState.Refused, new FlowProblem("ledger-refused", "payout post: " + result), ct).ConfigureAwait(false);
            }

            case PayoutFlowState.Paid when flow.Return is not null:
            {
                var reversal = new Transfer(
                    FlowIds.LedgerTransfer(flow.Id, PayoutSteps.Reversal), SettlementAccounts.BankClearing.Id, payable.Id, (ulong)o.NetPence, LedgerAssets.Gbp,
                    (ushort)SettlementTransferCode.PayoutReturned);
                var result = await BookAsync(reversal, [], ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, FlowKind.Payout, "done:" + PayoutSteps.Reversal, ct).ConfigureAwait(false);
                if (!Applied(result))
                {
                    return await StopPayoutAsync(flow, PayoutFlowState.Refused, new FlowProblem("ledger-refused", "return reversal: " + result), ct).ConfigureAwait(false);
                }

                LogProblem(flow.Id, FlowKind.Payout, "payout-returned", flow.Return.Reason);
                return await SavePayoutAsync(flow, flow with { State = PayoutFlowState.Returned }, "return-reversed", flow.Return.Reason, ct).ConfigureAwait(false);
            }

            default:
                return false;
        }
    }

    private async Task<bool> VoidPayoutAsync(PayoutFlow flow, Account payable, UInt128 reserveId, PayoutFlowState state, FlowProblem problem, CancellationToken ct)
    {
        var @void = new Transfer(
            FlowIds.LedgerTransfer(flow.Id, PayoutSteps.Void), payable.Id, SettlementAccounts.BankClearing.Id, (ulong)flow.Order.NetPence, LedgerAssets.Gbp,
            (ushort)SettlementTransferCode.PayoutPaid, TransferFlags.VoidPending, reserveId);
        var result = await BookAsync(@void, [], ct).ConfigureAwait(false);
        await CheckpointAsync(flow.Id, FlowKind.Payout, "done:" + PayoutSteps.Void, ct).ConfigureAwait(false);
        return Applied(result)
            ? await StopPayoutAsync(flow, state, problem, ct).ConfigureAwait(false)
            : await StopPayoutAsync(flow, PayoutFlowState.Refused, new FlowProblem("ledger-refused", "payout void: " + result), ct).ConfigureAwait(false);
    }

    private async Task<bool> StopPayoutAsync(PayoutFlow flow, PayoutFlowState state, FlowProblem problem, CancellationToken ct)
    {
        LogProblem(flow.Id, FlowKind.Payout, problem.Code, problem.Detail);
        return await SavePayoutAsync(flow, flow with { State = state, Problem = problem }, problem.Code, problem.Detail, ct).ConfigureAwait(false);
    }

    private Task<bool> SavePayoutAsync(PayoutFlow current, PayoutFlow next, string @event, string? detail, CancellationToken ct) =>
        SaveAsync(FlowCodec.Encode(next.Validate() with { Version = current.Version + 1, UpdatedAt = _time.GetUtcNow() }), current.State.ToString(), @event, detail, ct);
}
