using System.Globalization;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>Lookups in id order, and what the stores say about rows changed behind their back (raw SQL on the database).</summary>
public abstract partial class LedgerStoreContract
{
    [Fact]
    public async Task LookupAccounts_IdsInAnyOrderWithRepeats_AscendingOnceEach()
    {
        var store = await SeedAsync();

        var accounts = await OpenStore().LookupAccountsAsync([Escrow, Merchant, 999, User, Merchant]);

        UInt128[] expected = [User, Merchant, Escrow];
        accounts.Select(a => a.Account.Id).ShouldBe(expected);
        accounts.ShouldBe([.. (await SnapshotAsync(store)).Where(a => expected.Contains(a.Account.Id))]);
    }

    [Fact]
    public async Task VerifyJournal_HeadRowDeleted_ThrowsNamingTheHead()
    {
        await SeedAsync();
        await ExecuteAsync("DELETE FROM ledger_head");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => OpenStore().VerifyJournalAsync());

        ex.Message.ShouldBe("The ledger head row is missing.");
    }

    [Theory]
    [InlineData("DELETE FROM ledger_head")]
    [InlineData("UPDATE ledger_head SET hash = {0}")]
    public async Task CreateTransfers_HeadRowMissingOrCorrupt_ThrowsAndNothingChanged(string tamper)
    {
        var store = await SeedAsync();
        var before = await SnapshotAsync(store);
        await ExecuteAsync(string.Format(CultureInfo.InvariantCulture, tamper, Blob(1)));

        var ex = await Should.ThrowAsync<InvalidDataException>(() => OpenStore().CreateTransfersAsync([Move(300, Clearing, User, 5)]));

        ex.Message.ShouldBe("The ledger head row is missing or corrupt.");
        (await SnapshotAsync(store)).ShouldBe(before);
        (await store.LookupTransfersAsync([300])).ShouldBeEmpty();
    }

    [Fact]
    public async Task LookupTransfers_RowThatDoesNotDecode_ThrowsNamingTheRow()
    {
        var store = await SeedAsync();

        // Row 12 is transfer 101 (Posted): eight account rows, then 90, 91, 100, 101.
        await ExecuteAsync($"{DisableJournalTriggersSql} UPDATE ledger_journal SET ledger = -1 WHERE seq = 12");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => OpenStore().LookupTransfersAsync([Posted]));

        ex.Message.ShouldBe("Ledger journal row 12 does not decode.");
        (await store.LookupTransfersAsync([90])).ShouldHaveSingleItem().Transfer.ShouldBe(Move(90, Clearing, User, 1_000));
    }
}
