using System.Globalization;
using System.Numerics;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>
/// What must equal between an indexed ledger and a fresh re-index of the canonical chain: each account's net balance
/// (credits − debits posted; accounts that net to zero left out, since a reversed booking leaves its accounts behind),
/// the booked events (key, block, kind, outcome) and the checkpoint. Reading it also checks the journal and that every
/// ledger balances.
/// </summary>
public sealed record IndexState(IReadOnlyList<string> Balances, IReadOnlyList<string> Events, BlockRef? Checkpoint)
{
    public static async Task<IndexState> ReadAsync(LedgerDb db, string stream)
    {
        var journal = await db.Ledger.VerifyJournalAsync();
        journal.Ok.ShouldBeTrue(journal.Problem);
        var accounts = await db.Ledger.ListAccountsAsync();
        foreach (var ledger in accounts.GroupBy(a => a.Account.Ledger))
        {
            ledger.Aggregate(BigInteger.Zero, (s, a) => s + (BigInteger)a.DebitsPosted)
                .ShouldBe(ledger.Aggregate(BigInteger.Zero, (s, a) => s + (BigInteger)a.CreditsPosted), $"ledger {ledger.Key} balances");
        }

        var balances = accounts
            .Select(a => (a.Account.Id, Net: (BigInteger)a.CreditsPosted - a.DebitsPosted))
            .Where(a => !a.Net.IsZero)
            .Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Id}={a.Net}"))
            .ToList();
        var events = (await db.Index.ListEventsAsync(stream))
            .Select(e => $"{e.Key}@{e.BlockNumber}:{e.BlockHash}:{e.Kind}:{e.Ignored}:{e.TransferIds.Count}")
            .ToList();
        var checkpoint = (await db.Index.GetCheckpointAsync(stream))?.Block;
        return new IndexState(balances, events, checkpoint);
    }

    /// <summary>Net balance of one account (0 when it does not exist).</summary>
    public static async Task<BigInteger> NetAsync(ILedgerStore ledger, UInt128 account) =>
        (await ledger.LookupAccountsAsync([account])).Select(a => (BigInteger)a.CreditsPosted - a.DebitsPosted).SingleOrDefault();

    public void ShouldEqual(IndexState expected, string? why = null)
    {
        Balances.ShouldBe(expected.Balances, why);
        Events.ShouldBe(expected.Events, why);
        Checkpoint.ShouldBe(expected.Checkpoint, why);
    }
}
