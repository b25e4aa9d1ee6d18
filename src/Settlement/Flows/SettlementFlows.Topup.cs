using System.Globalization;
using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Conversion;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>The top-up flow: bank payment → credit the user → fund the channel on chain → post when the indexer confirms.</summary>
public sealed partial class SettlementFlows
{
    private const string DefaultTopupReference = "l2pay top-up";

    /// <summary>
    /// Stores a top-up (idempotent per <see cref="TopupRequest.FlowId"/>) and advances it as far as it goes. A request
    /// that is invalid, or names an existing flow with other parameters, is refused as data and changes nothing.
    /// </summary>
    public async Task<TopupStart> StartTopupAsync(TopupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Check(request) is { } refusal)
        {
            return new TopupStart(null, false, refusal.Refusal, refusal.Detail);
        }

        var normalized = request with
        {
            PayerAddress = request.PayerAddress.ToLowerInvariant(),
            PayeeAddress = request.PayeeAddress.ToLowerInvariant(),
            ChannelId = request.ChannelId?.ToLowerInvariant(),
            Reference = request.Reference ?? DefaultTopupReference,
        };
        var now = _time.GetUtcNow();
        var flow = new TopupFlow { Id = request.FlowId, Request = normalized, State = TopupFlowState.Created, Version = 1, CreatedAt = now, UpdatedAt = now };
        var created = await _store.TryInsertAsync(FlowCodec.Encode(flow), "created", cancellationToken).ConfigureAwait(false);
        if (!created)
        {
            var stored = (await _store.GetAsync(flow.Id, cancellationToken).ConfigureAwait(false))!;
            if (stored.Kind != FlowKind.Topup)
            {
                return new TopupStart(null, false, TopupRefusal.ExistsAsOtherKind, $"flow {flow.Id:N} is a {stored.Kind}");
            }

            var existing = FlowCodec.DecodeTopup(stored);
            if (existing.Request != normalized)
            {
                return new TopupStart(existing, false, TopupRefusal.ExistsWithDifferentParameters, $"top-up {flow.Id:N} exists with other parameters");
            }

            if (existing.IsFinished)
            {
                return new TopupStart(existing, false, null, null);
            }
        }
        else
        {
            LogTopupStarted(flow.Id, normalized.AmountPence, normalized.UserId);
        }

        await AdvanceAsync(flow.Id, cancellationToken).ConfigureAwait(false);
        return new TopupStart(await GetTopupAsync(flow.Id, cancellationToken).ConfigureAwait(false), created, null, null);
    }

    private static (TopupRefusal Refusal, string Detail)? Check(TopupRequest r)
    {
        if (r.FlowId == Guid.Empty)
        {
            return (TopupRefusal.FlowIdEmpty, "the flow id is empty");
        }

        if (string.IsNullOrWhiteSpace(r.UserId) || r.UserId.Length > 100)
        {
            return (TopupRefusal.UserIdInvalid, "the user id must be 1 to 100 characters");
        }

        if (string.IsNullOrWhiteSpace(r.Bank))
        {
            return (TopupRefusal.BankMissing, "no bank named");
        }

        if (r.AmountPence <= 0)
        {
            return (TopupRefusal.AmountNotPositive, string.Create(CultureInfo.InvariantCulture, $"amount {r.AmountPence}p is not positive"));
        }

        if (StablecoinRate.ToBaseUnits(r.AmountPence) > (BigInteger)UInt128.MaxValue / 2)
        {
            return (TopupRefusal.AmountTooLarge, "the amount's tGBP value does not fit the ledger");
        }

        if (!Address.TryParse(r.PayerAddress, out _))
        {
            return (TopupRefusal.PayerAddressInvalid, $"payer '{r.PayerAddress}' is not an address");
        }

        if (!Address.TryParse(r.PayeeAddress, out _))
        {
            return (TopupRefusal.PayeeAddressInvalid, $"payee '{r.PayeeAddress}' is not an address");
        }

        if (r.SweepingConsentId is not null)
        {
            return (TopupRefusal.SweepingConsentGiven, "a recharge under a sweeping consent starts through the recharge endpoint");
        }

        if (r.ChannelId is { } channel && !IsChannelId(channel))
        {
            return (TopupRefusal.ChannelIdInvalid, $"channel id '{channel}' is not 0x + 64 hex digits");
        }

        if (r.Reference is { Length: > OpenBanking.Pis.PaymentInstruction.MaxReferenceLength })
        {
            // The connector refuses more than Faster Payments carries (OBIE: 18 characters).
            return (TopupRefusal.ReferenceTooLong, $"the reference is longer than {OpenBanking.Pis.PaymentInstruction.MaxReferenceLength} characters (Faster Payments)");
        }

        return null;
    }

    private static bool IsChannelId(string text) =>
        text.Length == 66 && text.StartsWith("0x", StringComparison.Ordinal) && !text.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF");

    /// <summary>One step of a top-up; true when it saved (or lost a race), false when it has to wait or is finished.</summary>
    private async Task<bool> StepTopupAsync(TopupFlow flow, CancellationToken ct)
    {
        var r = flow.Request;
        var user = SettlementAccounts.UserFunds(r.UserId);
        var reserveId = FlowIds.LedgerTransfer(flow.Id, TopupSteps.Reserve);
        switch (flow.State)
        {
            case TopupFlowState.Created when r.SweepingConsentId is { } consentId:
            {
                var sweep = await Sweeps.StartSweepAsync(
                    new BankSweep(flow.BankOperationId, r.Bank, consentId, r.AmountPence, r.Reference ?? DefaultRechargeReference), ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, FlowKind.Recharge, "done:" + TopupSteps.BankSweep, ct).ConfigureAwait(false);
                return sweep.Status switch
                {
                    BankPaymentStatus.Conflict => await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("bank-conflict", sweep.Detail ?? "conflict"), ct).ConfigureAwait(false),
                    BankPaymentStatus.Rejected or BankPaymentStatus.Failed => await StopTopupAsync(flow, TopupFlowState.Rejected, SweepProblem(sweep), ct).ConfigureAwait(false),
                    _ => await SaveTopupAsync(flow, flow with { State = TopupFlowState.AwaitingBank }, "sweep-submitted", null, ct).ConfigureAwait(false),
                };
            }

            case TopupFlowState.Created:
            {
                var started = await _bank.StartTopupAsync(
                    new BankTopup(flow.BankOperationId, r.Bank, r.AmountPence, r.Reference ?? DefaultTopupReference, r.DebtorAccount), ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, FlowKind.Topup, "done:" + TopupSteps.BankTopup, ct).ConfigureAwait(false);
                return started.Status == BankPaymentStatus.Conflict
                    ? await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("bank-conflict", started.Detail ?? "conflict"), ct).ConfigureAwait(false)
                    : await SaveTopupAsync(flow, flow with { State = TopupFlowState.AwaitingBank, AuthorizationUrl = started.AuthorizationUrl }, "bank-started", null, ct).ConfigureAwait(false);
            }

            case TopupFlowState.AwaitingBank when r.SweepingConsentId is not null:
            {
                var sweep = await Sweeps.GetSweepStatusAsync(flow.BankOperationId, ct).ConfigureAwait(false);
                switch (sweep.Status)
                {
                    case BankPaymentStatus.Pending:
                        return false;
                    case BankPaymentStatus.Rejected or BankPaymentStatus.Failed:
                        return await StopTopupAsync(flow, TopupFlowState.Rejected, SweepProblem(sweep), ct).ConfigureAwait(false);
                    case BankPaymentStatus.Conflict:
                        return await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("bank-conflict", sweep.Detail ?? "conflict"), ct).ConfigureAwait(false);
                }

                return await CreditTopupAsync(flow, user, SettlementTransferCode.RechargeReceived, ct).ConfigureAwait(false);
            }

            case TopupFlowState.AwaitingBank:
            {
                var status = await _bank.GetStatusAsync(flow.BankOperationId, ct).ConfigureAwait(false);
                switch (status.Status)
                {
                    case BankPaymentStatus.Pending:
                        return false;
                    case BankPaymentStatus.Rejected or BankPaymentStatus.Failed:
                        return await StopTopupAsync(flow, TopupFlowState.Rejected, new FlowProblem("bank-" + status.Status.ToString().ToLowerInvariant(), status.Detail ?? status.Status.ToString()), ct).ConfigureAwait(false);
                    case BankPaymentStatus.Conflict:
                        return await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("bank-conflict", status.Detail ?? "conflict"), ct).ConfigureAwait(false);
                }

                return await CreditTopupAsync(flow, user, SettlementTransferCode.TopupReceived, ct).ConfigureAwait(false);
            }

            case TopupFlowState.Credited when flow.Return is not null:
            {
                // A return raced a funding reservation (another runner): release it first, then reverse.
                var released = await BookAsync(VoidFunding(flow, user, reserveId), [], ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Void, ct).ConfigureAwait(false);
                if (released == CreateTransferResult.PendingTransferAlreadyPosted)
                {
                    return await StopTopupAsync(flow, TopupFlowState.ReturnedAfterFunding, new FlowProblem("returned-after-funding", "the funding was posted before the return"), ct).ConfigureAwait(false);
                }

                return await ReverseTopupAsync(flow, user, ct).ConfigureAwait(false);
            }

            case TopupFlowState.Credited:
            {
                var reserve = new Transfer(
                    reserveId, user.Id, SettlementAccounts.StablecoinReserve.Id, (ulong)r.AmountPence, LedgerAssets.Gbp, (ushort)SettlementTransferCode.ChannelFunding, TransferFlags.Pending);
                var result = await BookAsync(reserve, [user, SettlementAccounts.StablecoinReserve], ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Reserve, ct).ConfigureAwait(false);
                return Applied(result)
                    ? await SaveTopupAsync(flow, flow with { State = TopupFlowState.FundingReserved }, "funding-reserved", null, ct).ConfigureAwait(false)
                    : await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("ledger-refused", "funding reservation: " + result), ct).ConfigureAwait(false);
            }

            case TopupFlowState.FundingReserved:
            {
                var units = (UInt128)StablecoinRate.ToBaseUnits(r.AmountPence);
                var key = FlowIds.ChainStep(flow.Id, TopupSteps.Fund);
                var mined = r.ChannelId is { } channel
                    ? await _chain.TopUpChannelAsync(key, channel, units, ct).ConfigureAwait(false)
                    : await _chain.FundNewChannelAsync(key, r.PayerAddress, r.PayeeAddress, units, ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Fund, ct).ConfigureAwait(false);
                if (mined.Status == ChainActionStatus.Mined)
                {
                    var funding = new ChainStep(mined.TransactionHash.ToLowerInvariant(), mined.BlockNumber, (mined.ChannelId ?? r.ChannelId)?.ToLowerInvariant());
                    return await SaveTopupAsync(flow, flow with { State = TopupFlowState.AwaitingConfirmation, Funding = funding }, "funding-mined", funding.TransactionHash, ct).ConfigureAwait(false);
                }

                var voided = await BookAsync(VoidFunding(flow, user, reserveId), [], ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Void, ct).ConfigureAwait(false);
                return Applied(voided)
                    ? await StopTopupAsync(flow, TopupFlowState.FundingFailed, new FlowProblem("chain-reverted", mined.Error ?? "the funding transaction reverted"), ct).ConfigureAwait(false)
                    : await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("ledger-refused", "funding void: " + voided), ct).ConfigureAwait(false);
            }

            case TopupFlowState.AwaitingConfirmation:
            {
                var funding = flow.RequiredFunding;
                var kind = r.ChannelId is null ? ChainEventKind.ChannelOpened : ChainEventKind.ChannelToppedUp;
                if (!await _confirmations.IsConfirmedAsync(funding.TransactionHash, kind, ct).ConfigureAwait(false))
                {
                    return false;
                }

                var post = new Transfer(
                    FlowIds.LedgerTransfer(flow.Id, TopupSteps.Post), user.Id, SettlementAccounts.StablecoinReserve.Id, (ulong)r.AmountPence, LedgerAssets.Gbp,
                    (ushort)SettlementTransferCode.ChannelFunding, TransferFlags.PostPending, reserveId);
                var result = await BookAsync(post, [], ct).ConfigureAwait(false);
                await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Post, ct).ConfigureAwait(false);
                return Applied(result)
                    ? await SaveTopupAsync(flow, flow with { State = TopupFlowState.Funded }, "funding-confirmed", null, ct).ConfigureAwait(false)
                    : await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("ledger-refused", "funding post: " + result), ct).ConfigureAwait(false);
            }

            case TopupFlowState.Funded when flow.Return is not null:
                return await StopTopupAsync(
                    flow, TopupFlowState.ReturnedAfterFunding, new FlowProblem("returned-after-funding", "the bank returned a top-up already put into a channel: " + flow.Return.Reason), ct).ConfigureAwait(false);

            case TopupFlowState.FundingFailed when flow.Return is not null:
                return await ReverseTopupAsync(flow, user, ct).ConfigureAwait(false);

            default:
                return false;
        }
    }

    private async Task<bool> CreditTopupAsync(TopupFlow flow, Account user, SettlementTransferCode code, CancellationToken ct)
    {
        var credit = new Transfer(
            FlowIds.LedgerTransfer(flow.Id, TopupSteps.Credit), SettlementAccounts.BankClearing.Id, user.Id, (ulong)flow.Request.AmountPence, LedgerAssets.Gbp, (ushort)code);
        var result = await BookAsync(credit, [SettlementAccounts.BankClearing, user], ct).ConfigureAwait(false);
        await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Credit, ct).ConfigureAwait(false);
        return Applied(result)
            ? await SaveTopupAsync(flow, flow with { State = TopupFlowState.Credited, AuthorizationUrl = null }, "bank-completed", null, ct).ConfigureAwait(false)
            : await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("ledger-refused", "credit: " + result), ct).ConfigureAwait(false);
    }

    private static Transfer VoidFunding(TopupFlow flow, Account user, UInt128 reserveId) => new(
        FlowIds.LedgerTransfer(flow.Id, TopupSteps.Void), user.Id, SettlementAccounts.StablecoinReserve.Id, (ulong)flow.Request.AmountPence, LedgerAssets.Gbp,
        (ushort)SettlementTransferCode.ChannelFunding, TransferFlags.VoidPending, reserveId);

    private async Task<bool> ReverseTopupAsync(TopupFlow flow, Account user, CancellationToken ct)
    {
        var reversal = new Transfer(
            FlowIds.LedgerTransfer(flow.Id, TopupSteps.Reversal), user.Id, SettlementAccounts.BankClearing.Id, (ulong)flow.Request.AmountPence, LedgerAssets.Gbp,
            (ushort)SettlementTransferCode.TopupReturned);
        var result = await BookAsync(reversal, [], ct).ConfigureAwait(false);
        await CheckpointAsync(flow.Id, flow.Kind, "done:" + TopupSteps.Reversal, ct).ConfigureAwait(false);
        if (Applied(result))
        {
            return await SaveTopupAsync(flow, flow with { State = TopupFlowState.Reversed }, "return-reversed", flow.Return?.Reason, ct).ConfigureAwait(false);
        }

        return result == CreateTransferResult.ExceedsCredits
            ? await StopTopupAsync(flow, TopupFlowState.ReturnedAfterFunding, new FlowProblem("returned-after-funding", "the user's funds no longer hold the returned amount"), ct).ConfigureAwait(false)
            : await StopTopupAsync(flow, TopupFlowState.Refused, new FlowProblem("ledger-refused", "return reversal: " + result), ct).ConfigureAwait(false);
    }

    private async Task<bool> StopTopupAsync(TopupFlow flow, TopupFlowState state, FlowProblem problem, CancellationToken ct)
    {
        LogProblem(flow.Id, flow.Kind, problem.Code, problem.Detail);
        return await SaveTopupAsync(flow, flow with { State = state, Problem = problem }, problem.Code, problem.Detail, ct).ConfigureAwait(false);
    }

    private Task<bool> SaveTopupAsync(TopupFlow current, TopupFlow next, string @event, string? detail, CancellationToken ct) =>
        SaveAsync(FlowCodec.Encode(next.Validate() with { Version = current.Version + 1, UpdatedAt = _time.GetUtcNow() }), current.State.ToString(), @event, detail, ct);
}
