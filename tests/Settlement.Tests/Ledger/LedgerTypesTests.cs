using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

/// <summary>
/// The ledger's small helpers: a pending transfer's expiry time, journal rows for each kind and back, ledger names, and
/// the result codes' numbers (0 = Ok; the stores and logs carry the numbers, so a reordering must show).
/// </summary>
public sealed class LedgerTypesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(TransferFlags.Pending, 30u, "2026-03-01T12:00:30+00:00")]
    [InlineData(TransferFlags.Pending | TransferFlags.Linked, 1u, "2026-03-01T12:00:01+00:00")]
    [InlineData(TransferFlags.Pending, uint.MaxValue, "2162-04-07T18:28:15+00:00")]
    [InlineData(TransferFlags.Pending, 0u, null)]
    [InlineData(TransferFlags.None, 30u, null)]
    [InlineData(TransferFlags.PostPending, 30u, null)]
    public void ExpiresAt_PendingWithTimeout_CreatedPlusSecondsElseNull(TransferFlags flags, uint timeout, string? expected)
    {
        var stored = new StoredTransfer(new Transfer(1, 2, 3, 4, LedgerAssets.Gbp, 1, flags, Timeout: timeout), T0);

        stored.ExpiresAt.ShouldBe(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Created_NewAccount_AllBalancesZero()
    {
        var account = new Account(5, LedgerAssets.Eth, 6, AccountFlags.CreditsMustNotExceedDebits, 7);

        AccountBalances.Created(account, T0).ShouldBe(new AccountBalances(account, 0, 0, 0, 0, T0));
    }

    [Fact]
    public void ForAccount_RowHoldsTheAccountAndReadsBack()
    {
        var account = new Account(UInt128.MaxValue - 1, uint.MaxValue, ushort.MaxValue, AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits, UInt128.MaxValue);

        var row = JournalEntry.ForAccount(account, T0.UtcTicks);

        row.ShouldBe(new JournalEntry(0, JournalKind.AccountCreated, UInt128.MaxValue - 1, 0, 0, 0, 0, UInt128.MaxValue, uint.MaxValue, ushort.MaxValue, 3, 0, T0.UtcTicks));
        row.ToAccount().ShouldBe(account);
        row.CreatedAt.ShouldBe(T0);
        row.CreatedAt.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void ForTransfer_RowHoldsTheTransferAndReadsBack()
    {
        var transfer = new Transfer(10, 1, 2, UInt128.MaxValue, LedgerAssets.Tgbp, 9, TransferFlags.Pending | TransferFlags.Linked, 0, uint.MaxValue, 77);

        var row = JournalEntry.ForTransfer(transfer, T0.UtcTicks);

        row.ShouldBe(new JournalEntry(0, JournalKind.TransferCreated, 10, 1, 2, UInt128.MaxValue, 0, 77, LedgerAssets.Tgbp, 9, 3, uint.MaxValue, T0.UtcTicks));
        row.ToStoredTransfer().ShouldBe(new StoredTransfer(transfer, T0));
    }

    [Fact]
    public void ForExpiry_RowNamesThePendingTwiceAndCarriesNoFlagsTimeoutOrUserData()
    {
        var pending = new Transfer(10, 1, 2, 500, LedgerAssets.Gbp, 4, TransferFlags.Pending, 0, 30, 77);

        JournalEntry.ForExpiry(pending, T0.UtcTicks)
            .ShouldBe(new JournalEntry(0, JournalKind.PendingExpired, 10, 1, 2, 500, 10, 0, LedgerAssets.Gbp, 4, 0, 0, T0.UtcTicks));
    }

    [Theory]
    [InlineData(1u, "GBP (pence)")]
    [InlineData(2u, "tGBP (base units)")]
    [InlineData(3u, "ETH (wei)")]
    [InlineData(0u, "ledger-0")]
    [InlineData(4u, "ledger-4")]
    [InlineData(uint.MaxValue, "ledger-4294967295")]
    public void Name_Ledger_DisplayName(uint ledger, string name) => LedgerAssets.Name(ledger).ShouldBe(name);

    [Fact]
    public void ResultCodes_NumbersAsStored()
    {
        ((int)CreateAccountResult.Ok, (int)CreateAccountResult.LinkedEventFailed, (int)CreateAccountResult.Exists).ShouldBe((0, 1, 13));
        ((int)CreateTransferResult.Ok, (int)CreateTransferResult.LinkedEventFailed, (int)CreateTransferResult.Exists, (int)CreateTransferResult.ExceedsDebits)
            .ShouldBe((0, 1, 41, 45));
        ((byte)JournalKind.AccountCreated, (byte)JournalKind.TransferCreated, (byte)JournalKind.PendingExpired).ShouldBe(((byte)1, (byte)2, (byte)3));
        ((int)PendingResolution.Posted, (int)PendingResolution.Voided, (int)PendingResolution.Expired).ShouldBe((1, 2, 3));
    }
}
