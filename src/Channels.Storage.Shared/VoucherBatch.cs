using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Storage;

/// <summary>
/// The semantics of <see cref="IVoucherStore.SaveNewestAsync"/> once the stored amounts of the batch's channels are
/// known and locked: vouchers are applied in input order, each only if it is above what is stored (or applied earlier
/// in the batch) for its channel. The store then writes one row per channel: the last voucher applied.
/// </summary>
internal sealed class VoucherBatch
{
    private readonly IReadOnlyList<StoredVoucher> _vouchers;

    private VoucherBatch(IReadOnlyList<StoredVoucher> vouchers, IReadOnlyList<ChannelKey> keys)
    {
        _vouchers = vouchers;
        Keys = keys;
    }

    /// <summary>The batch's distinct channels in one fixed order (chain id, contract, channel id), so that writers
    /// sharing a database lock rows in the same order and cannot deadlock each other.</summary>
    public IReadOnlyList<ChannelKey> Keys { get; }

    /// <summary>Validates the batch (throws <see cref="ArgumentException"/>s) and lists its channels.</summary>
    public static VoucherBatch Create(IReadOnlyList<StoredVoucher> vouchers)
    {
        ArgumentNullException.ThrowIfNull(vouchers);
        var keys = new HashSet<ChannelKey>();
        for (var i = 0; i < vouchers.Count; i++)
        {
            StorageCodec.Validate(vouchers[i], $"{nameof(vouchers)}[{i}]");
            keys.Add(vouchers[i].Key);
        }

        var sorted = keys.ToList();
        sorted.Sort(Compare);
        return new VoucherBatch(vouchers, sorted);
    }

    /// <summary>The voucher that would be stored for a channel that has no row yet (the first with the batch's
    /// highest amount), so a store can insert it before it knows the rest.</summary>
    public StoredVoucher FirstHighest(ChannelKey key)
    {
        StoredVoucher? best = null;
        foreach (var voucher in _vouchers)
        {
            if (voucher.Key == key && (best is null || voucher.Cumulative > best.Cumulative))
            {
                best = voucher;
            }
        }

        return best ?? throw new ArgumentException($"Channel {key} is not in the batch.", nameof(key));
    }

    /// <summary>
    /// Applies the batch over <paramref name="stored"/> (the amount stored per channel, absent = no row).
    /// Returns the per-voucher results in input order and, per channel, the voucher to store (absent = nothing applied).
    /// </summary>
    public (VoucherWriteResult[] Results, Dictionary<ChannelKey, StoredVoucher> Winners) Apply(IReadOnlyDictionary<ChannelKey, BigInteger> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var current = new Dictionary<ChannelKey, BigInteger>(stored);
        var winners = new Dictionary<ChannelKey, StoredVoucher>();
        var results = new VoucherWriteResult[_vouchers.Count];
        for (var i = 0; i < _vouchers.Count; i++)
        {
            var voucher = _vouchers[i];
            var previous = current.GetValueOrDefault(voucher.Key, BigInteger.Zero);
            if (voucher.Cumulative > previous)
            {
                current[voucher.Key] = voucher.Cumulative;
                winners[voucher.Key] = voucher;
                results[i] = new VoucherWriteResult(true, previous, voucher.Cumulative);
            }
            else
            {
                results[i] = new VoucherWriteResult(false, previous, previous);
            }
        }

        return (results, winners);
    }

    private static int Compare(ChannelKey a, ChannelKey b)
    {
        var byChain = a.ChainId.CompareTo(b.ChainId);
        if (byChain != 0)
        {
            return byChain;
        }

        var byContract = a.Contract.Bytes.SequenceCompareTo(b.Contract.Bytes);
        return byContract != 0 ? byContract : a.ChannelId.Bytes.SequenceCompareTo(b.ChannelId.Bytes);
    }
}
