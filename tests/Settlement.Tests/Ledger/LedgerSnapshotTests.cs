using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

/// <summary>The ids a store loads and locks for a batch: distinct, without 0, in ascending numeric order.</summary>
public sealed class LedgerSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly UInt128 Big = UInt128.One << 64; // above every 64-bit id: sorts last numerically

    private static Transfer Move(UInt128 id, UInt128 debit, UInt128 credit, UInt128 pendingId = default) =>
        new(id, debit, credit, 1, LedgerAssets.Gbp, 1, pendingId == 0 ? TransferFlags.None : TransferFlags.PostPending, pendingId);

    [Fact]
    public void TransferIdsToLoad_IdsAndPendingIds_DistinctSortedWithoutZero() =>
        LedgerSnapshot.TransferIdsToLoad([Move(Big, 1, 2), Move(5, 1, 2, 3), Move(0, 1, 2), Move(5, 1, 2), Move(7, 0, 0, 5), Move(UInt128.MaxValue, 1, 2, 1)])
            .ShouldBe([1, 3, 5, 7, Big, UInt128.MaxValue]);

    [Fact]
    public void TransferIdsToLoad_NoTransfers_Empty() => LedgerSnapshot.TransferIdsToLoad([]).ShouldBeEmpty();

    [Fact]
    public void TransferIdsToLoad_OnlyZeroIds_Empty() => LedgerSnapshot.TransferIdsToLoad([Move(0, 1, 2), Move(0, 1, 2)]).ShouldBeEmpty();

    [Fact]
    public void PendingIdsToLoad_OnlyNonZeroPendingIds_DistinctSorted() =>
        LedgerSnapshot.PendingIdsToLoad([Move(10, 1, 2, Big), Move(11, 1, 2), Move(12, 0, 0, 9), Move(13, 0, 0, 4), Move(14, 0, 0, 9)])
            .ShouldBe([4, 9, Big]);

    [Fact]
    public void PendingIdsToLoad_NoPosts_Empty() => LedgerSnapshot.PendingIdsToLoad([Move(10, 1, 2), Move(11, 2, 1)]).ShouldBeEmpty();

    [Fact]
    public void AccountIdsToLock_PostOfALoadedPending_AddsItsAccounts()
    {
        var snapshot = new LedgerSnapshot();
        snapshot.Transfers[20] = new StoredTransfer(new Transfer(20, Big, 6, 5, LedgerAssets.Gbp, 1, TransferFlags.Pending), T0);

        snapshot.AccountIdsToLock([Move(30, 9, 2), Move(31, 0, 0, 20), Move(32, 2, 9)]).ShouldBe([2, 6, 9, Big]);
    }

    [Fact]
    public void AccountIdsToLock_PostOfAPendingNotLoaded_OnlyItsOwnNonZeroIds()
    {
        var snapshot = new LedgerSnapshot();
        snapshot.Transfers[21] = new StoredTransfer(new Transfer(21, 40, 41, 5, LedgerAssets.Gbp, 1, TransferFlags.Pending), T0);

        snapshot.AccountIdsToLock([Move(31, 0, 0, 20), Move(32, 8, 0, 22)]).ShouldBe([8]);
    }

    [Fact]
    public void AccountIdsToLock_TransferWithoutPendingId_DoesNotReadTransferZero()
    {
        var snapshot = new LedgerSnapshot();
        snapshot.Transfers[0] = new StoredTransfer(new Transfer(0, 40, 41, 5, LedgerAssets.Gbp, 1, TransferFlags.Pending), T0);

        snapshot.AccountIdsToLock([Move(31, 3, 1)]).ShouldBe([1, 3]);
    }

    [Fact]
    public void NewSnapshot_Empty()
    {
        var snapshot = new LedgerSnapshot();

        (snapshot.Accounts.Count, snapshot.Transfers.Count, snapshot.Resolutions.Count).ShouldBe((0, 0, 0));
    }
}
