namespace Settlement.Service.Ledger;

/// <summary>
/// What a store read (and locked) before applying a batch: the accounts, transfers and pending resolutions the batch
/// refers to. <see cref="LedgerEngine"/> decides everything from this snapshot alone, so both backends behave the same.
/// </summary>
internal sealed class LedgerSnapshot
{
    public Dictionary<UInt128, AccountBalances> Accounts { get; } = [];

    public Dictionary<UInt128, StoredTransfer> Transfers { get; } = [];

    public Dictionary<UInt128, PendingResolution> Resolutions { get; } = [];

    /// <summary>The ids a store must look up for a batch of transfers: the transfers' ids and pending ids (sorted).</summary>
    public static List<UInt128> TransferIdsToLoad(IReadOnlyList<Transfer> transfers)
    {
        var ids = new HashSet<UInt128>();
        foreach (var t in transfers)
        {
            ids.Add(t.Id);
            if (t.PendingId != 0)
            {
                ids.Add(t.PendingId);
            }
        }

        ids.Remove(0);
        var list = ids.ToList();
        list.Sort();
        return list;
    }

    /// <summary>The pending ids whose resolution a store must look up (sorted).</summary>
    public static List<UInt128> PendingIdsToLoad(IReadOnlyList<Transfer> transfers)
    {
        var ids = transfers.Where(t => t.PendingId != 0).Select(t => t.PendingId).ToHashSet().ToList();
        ids.Sort();
        return ids;
    }

    /// <summary>
    /// The accounts a batch touches, in ascending id order: the order every store locks them in, so two writers never
    /// wait on each other in a cycle. Call after <see cref="Transfers"/> is loaded (a post/void touches the accounts
    /// of its pending transfer).
    /// </summary>
    public List<UInt128> AccountIdsToLock(IReadOnlyList<Transfer> transfers)
    {
        var ids = new HashSet<UInt128>();
        foreach (var t in transfers)
        {
            ids.Add(t.DebitAccountId);
            ids.Add(t.CreditAccountId);
            if (t.PendingId != 0 && Transfers.TryGetValue(t.PendingId, out var pending))
            {
                ids.Add(pending.Transfer.DebitAccountId);
                ids.Add(pending.Transfer.CreditAccountId);
            }
        }

        ids.Remove(0);
        var list = ids.ToList();
        list.Sort();
        return list;
    }
}
