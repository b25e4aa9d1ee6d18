using System.Numerics;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Decides when the payee redeems and closes (pure: no I/O, no clock of its own). From a <see cref="PolicySnapshot"/>
/// it plans, per channel, at most one action:
/// <list type="number">
/// <item>closing, deadline passed: settle (<see cref="PayeePolicyOptions.SettleAfterDeadline"/>);</item>
/// <item>closing, a newer voucher held, deadline within <see cref="PayeePolicyOptions.DisputeMargin"/>: redeem it alone
/// at once (the dispute); further away: redeem it in the batch, closing channels first;</item>
/// <item>open, no voucher for <see cref="PayeePolicyOptions.IdleCloseAfter"/>: ask the payer to close cooperatively
/// (<see cref="RequestCloseAction"/>); still open <see cref="PayeePolicyOptions.IdleCloseGrace"/> after that request
/// (no voucher since): close unilaterally with the newest voucher (<see cref="CloseIdleAction"/>; at once when the grace
/// is unset);</item>
/// <item>open, remaining credit below the share or amount, or unredeemed value above the threshold: redeem (batched per
/// token within the gas budget, or one <c>redeem</c> each).</item>
/// </list>
/// Decisions are remade from chain state every run, so an action already carried out is not planned again.
/// </summary>
public sealed class PayeePolicyPlanner
{
    private readonly PayeePolicyOptions _options;
    private readonly BigInteger? _exhaustedAmount;
    private readonly BigInteger? _unredeemedAbove;

    /// <summary>Creates a planner with validated options.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public PayeePolicyPlanner(PayeePolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(options);
        _options = options;
        _exhaustedAmount = options.GetExhaustedBelowAmount();
        _unredeemedAbove = options.GetUnredeemedAbove();
    }

    /// <summary>Validates <paramref name="options"/>; throws with every problem named.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static void ThrowIfInvalid(PayeePolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true);
        if (results.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", results.Select(r => r.ErrorMessage)), nameof(options));
        }
    }

    /// <summary>Plans the actions for <paramref name="snapshot"/>.</summary>
    public PolicyPlan Plan(PolicySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var disputes = new List<PolicyChannel>();
        var settles = new List<PolicyChannel>();
        var closes = new List<PolicyChannel>();
        var requests = new List<PolicyChannel>();
        var redeems = new List<BatchItem>();
        var seen = new HashSet<ChannelKey>();
        foreach (var channel in snapshot.Channels)
        {
            var view = channel.View;
            if (view.Settled || !seen.Add(view.Key))
            {
                continue;
            }

            if (view.IsClosing)
            {
                if (snapshot.ChainTime > view.CloseDeadline)
                {
                    if (_options.SettleAfterDeadline)
                    {
                        settles.Add(channel);
                    }
                }
                else if (channel.Unredeemed.Sign > 0)
                {
                    if (view.CloseDeadline - snapshot.ChainTime <= (ulong)_options.DisputeMargin.TotalSeconds)
                    {
                        disputes.Add(channel);
                    }
                    else
                    {
                        redeems.Add(new BatchItem(channel, PolicyReason.Closing));
                    }
                }

                continue;
            }

            if (_options.IdleCloseAfter is { } idle && channel.Newest is { } newest && snapshot.Now - newest.ReceivedAt >= idle)
            {
                if (_options.IdleCloseGrace is not { } grace)
                {
                    closes.Add(channel);
                }
                else if (snapshot.CloseRequests.TryGetValue(view.Key, out var request) && request.RequestedAt >= newest.ReceivedAt)
                {
                    // Asked, and no voucher since: wait for the payer's cooperative close until the grace is over.
                    if (snapshot.Now - request.RequestedAt >= grace)
                    {
                        closes.Add(channel);
                    }
                }
                else
                {
                    requests.Add(channel);
                }

                continue;
            }

            if (channel.Unredeemed.Sign > 0 && RuleFor(channel) is { } reason)
            {
                redeems.Add(new BatchItem(channel, reason));
            }
        }

        var actions = new List<PolicyAction>();
        actions.AddRange(disputes.OrderBy(c => c.View.CloseDeadline).ThenBy(c => c.View.Key.ChannelId.ToString(), StringComparer.Ordinal)
            .Select(c => new RedeemAction(c, PolicyReason.Dispute)));
        actions.AddRange(settles.OrderBy(c => c.View.CloseDeadline).ThenBy(c => c.View.Key.ChannelId.ToString(), StringComparer.Ordinal)
            .Select(c => new SettleAction(c)));
        actions.AddRange(closes.OrderBy(c => c.Newest!.ReceivedAt).ThenBy(c => c.View.Key.ChannelId.ToString(), StringComparer.Ordinal)
            .Select(c => new CloseIdleAction(c)));
        actions.AddRange(requests.OrderBy(c => c.Newest!.ReceivedAt).ThenBy(c => c.View.Key.ChannelId.ToString(), StringComparer.Ordinal)
            .Select(c => new RequestCloseAction(c)));
        IReadOnlyList<BatchItem> deferred = [];
        if (_options.UseBatch)
        {
            var (batches, rest) = BatchSelector.Select(redeems, _options.BatchGasBudget, _options.BatchBaseGas, _options.BatchItemGas);
            actions.AddRange(batches);
            deferred = rest;
        }
        else
        {
            actions.AddRange(BatchSelector.Order(redeems).Select(i => new RedeemAction(i.Channel, i.Reason)));
        }

        return new PolicyPlan(actions, deferred);
    }

    /// <summary>
    /// The merchant's batch: every channel of <paramref name="snapshot"/> with something new to redeem (open, or closing
    /// before its deadline), optionally of one <paramref name="token"/>, packed within <paramref name="gasBudget"/>
    /// (the options' budget by default).
    /// </summary>
    public PolicyPlan PlanBatch(PolicySnapshot snapshot, Ethereum.Addresses.Address? token = null, long? gasBudget = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var candidates = snapshot.Channels
            .Where(c => !c.View.Settled && (token is null || c.View.Parameters.Token == token) && (!c.View.IsClosing || snapshot.ChainTime <= c.View.CloseDeadline))
            .DistinctBy(c => c.View.Key)
            .Select(c => new BatchItem(c, c.View.IsClosing ? PolicyReason.Closing : PolicyReason.Requested));
        var (batches, deferred) = BatchSelector.Select(candidates, gasBudget ?? _options.BatchGasBudget, _options.BatchBaseGas, _options.BatchItemGas);
        return new PolicyPlan(batches, deferred);
    }

    private PolicyReason? RuleFor(PolicyChannel channel)
    {
        var deposit = channel.View.PayerDeposit;
        var remaining = channel.RemainingCredit;
        if ((_options.ExhaustedBelowBasisPoints > 0 && remaining * 10_000 < deposit * _options.ExhaustedBelowBasisPoints)
            || (_exhaustedAmount is { } amount && remaining < amount))
        {
            return PolicyReason.DepositNearlyExhausted;
        }

        return _unredeemedAbove is { } above && channel.Unredeemed > above ? PolicyReason.UnredeemedAboveThreshold : null;
    }
}
