using System.Numerics;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// Chooses the channels of a merchant's <c>redeemBatch</c> transactions (pure, no I/O): closing channels first by close
/// deadline, then open channels by urgency (smallest share of the deposit left, then the most value not yet redeemed),
/// ties by token and channel id; one batch per token and challenge period (a batch carries one challenge period,
/// docs/protocol.md "Batch encoding") holding as many of its most urgent channels as fit the gas budget. Channels with
/// nothing new to redeem are never included.
/// </summary>
public static class BatchSelector
{
    /// <summary>The most items one batch may hold under the budget (0 if not even one fits).</summary>
    public static int MaxItems(long gasBudget, long baseGas, long itemGas) =>
        itemGas <= 0 || gasBudget < baseGas + itemGas ? 0 : (int)Math.Min(int.MaxValue, (gasBudget - baseGas) / itemGas);

    /// <summary>Gas a batch of <paramref name="items"/> items is estimated to use.</summary>
    public static long EstimateGas(int items, long baseGas, long itemGas) => baseGas + (items * itemGas);

    /// <summary>
    /// Orders <paramref name="candidates"/> by urgency and packs them into one batch per token and challenge period within
    /// <paramref name="gasBudget"/>; returns the batches (in the order of their most urgent item) and what did not fit.
    /// </summary>
    public static (IReadOnlyList<BatchRedeemAction> Batches, IReadOnlyList<BatchItem> Deferred) Select(
        IEnumerable<BatchItem> candidates, long gasBudget, long baseGas, long itemGas)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var ordered = Order(candidates.Where(c => c.Channel.Unredeemed.Sign > 0));
        var max = MaxItems(gasBudget, baseGas, itemGas);
        var byToken = new Dictionary<(Ethereum.Addresses.Address Token, uint ChallengePeriod), List<BatchItem>>();
        var tokens = new List<(Ethereum.Addresses.Address Token, uint ChallengePeriod)>();
        var deferred = new List<BatchItem>();
        foreach (var item in ordered)
        {
            var parameters = item.Channel.View.Parameters;
            var token = (parameters.Token, parameters.ChallengePeriodSeconds);
            if (!byToken.TryGetValue(token, out var list))
            {
                list = [];
                byToken[token] = list;
                tokens.Add(token);
            }

            if (list.Count < max)
            {
                list.Add(item);
            }
            else
            {
                deferred.Add(item);
            }
        }

        var batches = tokens.Where(t => byToken[t].Count > 0)
            .Select(t => new BatchRedeemAction(byToken[t], EstimateGas(byToken[t].Count, baseGas, itemGas)))
            .ToArray();
        return (batches, deferred);
    }

    /// <summary>The urgency order: closing by deadline, then open by share of deposit left, value unredeemed, token, id.</summary>
    public static IReadOnlyList<BatchItem> Order(IEnumerable<BatchItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        list.Sort(Compare);
        return list;
    }

    private static int Compare(BatchItem x, BatchItem y)
    {
        var a = x.Channel;
        var b = y.Channel;
        var closingA = a.View.IsClosing;
        var closingB = b.View.IsClosing;
        if (closingA != closingB)
        {
            return closingA ? -1 : 1;
        }

        int c;
        if (closingA)
        {
            c = a.View.CloseDeadline.CompareTo(b.View.CloseDeadline);
        }
        else
        {
            // remainingA / depositA < remainingB / depositB, compared exactly by cross-multiplying.
            c = (Share(a) * Deposit(b)).CompareTo(Share(b) * Deposit(a));
            if (c == 0)
            {
                c = b.Unredeemed.CompareTo(a.Unredeemed);
            }
        }

        if (c == 0)
        {
            c = a.View.Parameters.Token.Bytes.SequenceCompareTo(b.View.Parameters.Token.Bytes);
        }

        return c != 0 ? c : a.View.Key.ChannelId.Bytes.SequenceCompareTo(b.View.Key.ChannelId.Bytes);
    }

    private static BigInteger Share(PolicyChannel channel) => channel.View.PayerDeposit.Sign > 0 ? channel.RemainingCredit : BigInteger.Zero;

    private static BigInteger Deposit(PolicyChannel channel) => channel.View.PayerDeposit.Sign > 0 ? channel.View.PayerDeposit : BigInteger.One;
}
