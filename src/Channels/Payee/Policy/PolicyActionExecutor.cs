using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Carries out planned actions through <see cref="ChannelContract"/> as the payee, one after another, and reports each
/// outcome as data. Safe to repeat: the contract refuses a voucher that is not newer, a second close or an early
/// settle, and those refusals are reported as <see cref="PolicyOutcome.AlreadyDone"/> / <see cref="PolicyOutcome.NotYet"/>,
/// so a run after a crash (plans remade from chain state) never pays twice.
/// </summary>
public sealed partial class PolicyActionExecutor
{
    private readonly ChannelContract _contract;
    private readonly IContractTransactor _payee;
    private readonly PayeePolicyMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly IVoucherStore? _store;
    private readonly TimeProvider _time;

    /// <summary>
    /// Creates an executor sending as <paramref name="payee"/>; <paramref name="store"/> keeps the close requests
    /// (<see cref="RequestCloseAction"/> fails without one), stamped by <paramref name="time"/>.
    /// </summary>
    public PolicyActionExecutor(
        ChannelContract contract, IContractTransactor payee, ILogger<PolicyActionExecutor>? logger = null, PayeePolicyMetrics? metrics = null,
        IVoucherStore? store = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(payee);
        _contract = contract;
        _payee = payee;
        _metrics = metrics;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _store = store;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The payee's address (the sender of every transaction).</summary>
    public Ethereum.Addresses.Address Payee => _payee.Sender;

    /// <summary>Executes <paramref name="actions"/> in order; a failed action does not stop the rest.</summary>
    public async Task<IReadOnlyList<PolicyActionResult>> ExecuteAsync(IEnumerable<PolicyAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var results = new List<PolicyActionResult>();
        foreach (var action in actions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await ExecuteOneAsync(action, cancellationToken).ConfigureAwait(false);
            _metrics?.Record(result);
            LogResult(_logger, PayeePolicyMetrics.KindOf(action), action.Channels.Count, action.Channels[0].View.Key.ChannelId.ToString(), result.Outcome, result.Detail);
            results.Add(result);
        }

        return results;
    }

    /// <summary>Executes one action.</summary>
    public Task<PolicyActionResult> ExecuteOneAsync(PolicyAction action, CancellationToken cancellationToken = default) => action switch
    {
        RedeemAction redeem => RedeemAsync(redeem, cancellationToken),
        BatchRedeemAction batch => BatchAsync(batch, cancellationToken),
        CloseIdleAction close => CloseAsync(close, cancellationToken),
        RequestCloseAction request => RequestCloseAsync(request, cancellationToken),
        SettleAction settle => SettleAsync(settle, cancellationToken),
        null => throw new ArgumentNullException(nameof(action)),
        _ => throw new ArgumentException($"Unknown policy action {action.GetType().Name}.", nameof(action)),
    };

    private async Task<PolicyActionResult> RedeemAsync(RedeemAction action, CancellationToken ct)
    {
        var channel = action.Channel;
        return await SendAsync(
            action,
            () => _contract.RedeemAsync(_payee, channel.View.Parameters, ToSigned(channel), ct),
            receipt => $"redeemed {channel.Newest!.Cumulative}",
            alreadyDone: ["VoucherNotNewer", "ChannelNotFound"],
            notYet: []).ConfigureAwait(false);
    }

    private async Task<PolicyActionResult> BatchAsync(BatchRedeemAction action, CancellationToken ct)
    {
        var items = action.Items.Select(i => (i.Channel.View.Parameters, ToSigned(i.Channel))).ToArray();
        var result = await SendAsync(
            action,
            () => _contract.RedeemBatchAsync(_payee, action.Token, items, ct),
            receipt =>
            {
                var redeemed = _contract.DecodeEvents(receipt.Logs).OfType<BatchVoucherRedeemedEvent>().Count();
                return $"redeemed {redeemed} of {items.Length}";
            },
            alreadyDone: [],
            notYet: []).ConfigureAwait(false);
        if (result.Outcome != PolicyOutcome.Failed || result.Detail != "VoucherNotNewer")
        {
            return result;
        }

        // An all-or-nothing batch reverts when someone redeemed one item first: redeem the items one by one (each already
        // redeemed item is then reported as done by someone else) so a front-runner cannot hold the others back.
        var hashes = new List<byte[]>();
        ulong gas = 0;
        var done = 0;
        var already = 0;
        foreach (var item in action.Items)
        {
            var single = await RedeemAsync(new RedeemAction(item.Channel, item.Reason), ct).ConfigureAwait(false);
            hashes.AddRange(single.TransactionHashes);
            gas += single.GasUsed;
            done += single.Outcome == PolicyOutcome.Done ? 1 : 0;
            already += single.Outcome == PolicyOutcome.AlreadyDone ? 1 : 0;
        }

        var outcome = already == action.Items.Count ? PolicyOutcome.AlreadyDone
            : done + already == action.Items.Count ? PolicyOutcome.Done
            : PolicyOutcome.Failed;
        return new PolicyActionResult(
            action,
            outcome,
            $"batch reverted VoucherNotNewer; one by one: {done} redeemed, {already} already redeemed, of {action.Items.Count}",
            hashes,
            gas);
    }

    private async Task<PolicyActionResult> CloseAsync(CloseIdleAction action, CancellationToken ct)
    {
        var parameters = action.Channel.View.Parameters;
        if (action.Channel.Unredeemed.Sign > 0)
        {
            var withVoucher = await SendAsync(
                action,
                () => _contract.StartCloseWithVoucherAsync(_payee, parameters, ToSigned(action.Channel), ct),
                _ => $"closing with {action.Channel.Newest!.Cumulative} redeemed",
                alreadyDone: ["ChannelClosingAlready", "ChannelNotFound"],
                notYet: []).ConfigureAwait(false);
            if (withVoucher.Detail != "VoucherNotNewer")
            {
                return withVoucher;
            }

            // Someone (the payer, a watchtower) redeemed this voucher first: the money went to the payee; just close.
        }

        return await SendAsync(
            action,
            () => _contract.StartCloseAsync(_payee, parameters, ct),
            _ => "closing",
            alreadyDone: ["ChannelClosingAlready", "ChannelNotFound"],
            notYet: []).ConfigureAwait(false);
    }

    private async Task<PolicyActionResult> RequestCloseAsync(RequestCloseAction action, CancellationToken ct)
    {
        if (_store is null)
        {
            return new PolicyActionResult(action, PolicyOutcome.Failed, "no store for close requests", [], 0);
        }

        var request = new CloseRequest(action.Channel.View.Key, _time.GetUtcNow());
        await _store.SaveCloseRequestAsync(request, ct).ConfigureAwait(false);
        return new PolicyActionResult(action, PolicyOutcome.Done, $"cooperative close requested at {request.RequestedAt:O}", [], 0);
    }

    private Task<PolicyActionResult> SettleAsync(SettleAction action, CancellationToken ct) =>
        SendAsync(
            action,
            () => _contract.SettleAsync(_payee, action.Channel.View.Parameters, ct),
            receipt => _contract.DecodeEvents(receipt.Logs).OfType<ChannelSettledEvent>().FirstOrDefault() is { } settled
                ? $"settled: {settled.ToPayee} to the payee, {settled.ToPayer} to the payer"
                : "settled",
            alreadyDone: ["ChannelNotFound"],
            notYet: ["ChallengePeriodActive"]);

    private async Task<PolicyActionResult> SendAsync(
        PolicyAction action, Func<Task<TransactionReceipt>> send, Func<TransactionReceipt, string> describe, string[] alreadyDone, string[] notYet)
    {
        try
        {
            var receipt = await send().ConfigureAwait(false);
            return new PolicyActionResult(action, PolicyOutcome.Done, describe(receipt), [receipt.TransactionHash], receipt.GasUsed);
        }
        catch (ChannelContractRevertException ex)
        {
            var outcome = alreadyDone.Contains(ex.ErrorName) ? PolicyOutcome.AlreadyDone
                : notYet.Contains(ex.ErrorName) ? PolicyOutcome.NotYet
                : PolicyOutcome.Failed;
            return new PolicyActionResult(action, outcome, ex.ErrorName, [], 0);
        }
        catch (JsonRpcException ex)
        {
            // The node failed (down, out of funds for gas…): nothing is assumed; the next run re-reads the chain.
            LogNodeFailed(_logger, PayeePolicyMetrics.KindOf(action), ex);
            return new PolicyActionResult(action, PolicyOutcome.Failed, ex.Message, [], 0);
        }
    }

    /// <summary>The stored voucher as the contract takes it.</summary>
    internal static SignedVoucher ToSigned(PolicyChannel channel)
    {
        var stored = channel.Newest ?? throw new InvalidOperationException($"Channel {channel.View.Key} holds no voucher to redeem.");
        return ToSigned(stored);
    }

    /// <summary>The stored voucher as the contract takes it.</summary>
    public static SignedVoucher ToSigned(StoredVoucher stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return new SignedVoucher(new Voucher(stored.Key.ChannelId, stored.Cumulative), EcdsaSignature.ParseRsv(stored.Signature));
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Policy {Kind} of {Count} channel(s) from {ChannelId}: {Outcome} ({Detail})")]
    private static partial void LogResult(ILogger logger, string kind, int count, string channelId, PolicyOutcome outcome, string detail);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "Policy {Kind} failed at the chain node; the next run re-plans from chain state")]
    private static partial void LogNodeFailed(ILogger logger, string kind, Exception exception);
}
