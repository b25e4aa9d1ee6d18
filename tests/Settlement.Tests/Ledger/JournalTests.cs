using System.Security.Cryptography;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger;

public sealed class JournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static List<(JournalEntry Entry, byte[] Hash)> Chain(params JournalEntry[] entries)
    {
        var hash = JournalHash.Genesis;
        var rows = new List<(JournalEntry, byte[])>();
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i] with { Seq = i + 1 };
            hash = JournalHash.Compute(hash, e);
            rows.Add((e, hash));
        }

        return rows;
    }

    private static List<(JournalEntry Entry, byte[] Hash)> Book() => Chain(
        JournalEntry.ForAccount(new Account(1, LedgerAssets.Gbp, 1), T0.UtcTicks),
        JournalEntry.ForAccount(new Account(2, LedgerAssets.Gbp, 1), T0.UtcTicks),
        JournalEntry.ForTransfer(new Transfer(10, 1, 2, 500, LedgerAssets.Gbp, 1), T0.UtcTicks),
        JournalEntry.ForTransfer(new Transfer(11, 2, 1, 20, LedgerAssets.Gbp, 1, TransferFlags.Pending), T0.UtcTicks),
        JournalEntry.ForTransfer(new Transfer(12, 2, 1, 15, LedgerAssets.Gbp, 1, TransferFlags.PostPending, 11), T0.UtcTicks));

    private static JournalVerification Verify(List<(JournalEntry Entry, byte[] Hash)> rows, IEnumerable<AccountBalances>? accounts = null)
    {
        var verifier = new JournalVerifier();
        foreach (var (entry, hash) in rows)
        {
            if (!verifier.Add(entry.Seq, entry, hash))
            {
                break;
            }
        }

        accounts ??=
        [
            new AccountBalances(new Account(1, LedgerAssets.Gbp, 1), 0, 500, 0, 15, T0),
            new AccountBalances(new Account(2, LedgerAssets.Gbp, 1), 0, 15, 0, 500, T0),
        ];
        return verifier.Finish(accounts, rows.Count == 0 ? 0 : rows[^1].Entry.Seq, rows.Count == 0 ? JournalHash.Genesis : rows[^1].Hash);
    }

    [Fact]
    public void Compute_FirstRow_Sha256OfZerosAndCanonicalBytes()
    {
        var entry = JournalEntry.ForAccount(new Account(1, LedgerAssets.Gbp, 1), 0) with { Seq = 1 };
        var canonical = new byte[JournalHash.CanonicalLength];
        JournalHash.WriteCanonical(canonical, entry);

        JournalHash.Compute(JournalHash.Genesis, entry).ShouldBe(SHA256.HashData([.. new byte[32], .. canonical]));
        canonical.Length.ShouldBe(125);
        canonical[7].ShouldBe((byte)1); // seq, big-endian
        canonical[8].ShouldBe((byte)JournalKind.AccountCreated);
        canonical[24].ShouldBe((byte)1); // id, big-endian, last byte
    }

    [Fact]
    public void Verify_IntactChainAndMatchingBalances_Ok()
    {
        var result = Verify(Book());

        result.Ok.ShouldBeTrue(result.Problem);
        result.Entries.ShouldBe(5);
        result.HeadHash.ShouldBe(Convert.ToHexStringLower(Book()[^1].Hash));
    }

    [Fact]
    public void Verify_RowContentChanged_NamesIt()
    {
        var rows = Book();
        rows[2] = (rows[2].Entry with { Amount = 501 }, rows[2].Hash);

        var result = Verify(rows);

        (result.Ok, result.BrokenSeq, result.Entries).ShouldBe((false, (long?)3, 2L));
    }

    [Fact]
    public void Verify_RowRemovedAndRechainedFromThere_GapNamed()
    {
        var rows = Book();
        rows.RemoveAt(1);

        Verify(rows).BrokenSeq.ShouldBe(3);
    }

    [Fact]
    public void Verify_PostOfUnknownPending_Broken()
    {
        var rows = Chain(
            JournalEntry.ForAccount(new Account(1, LedgerAssets.Gbp, 1), 0),
            JournalEntry.ForTransfer(new Transfer(12, 2, 1, 15, LedgerAssets.Gbp, 1, TransferFlags.PostPending, 11), 0));

        var result = Verify(rows, []);

        result.BrokenSeq.ShouldBe(2);
        result.Problem.ShouldNotBeNull().ShouldContain("never created");
    }

    [Fact]
    public void Verify_StoredBalanceDiffers_NamesTheAccount()
    {
        var result = Verify(Book(),
        [
            new AccountBalances(new Account(1, LedgerAssets.Gbp, 1), 0, 500, 0, 15, T0),
            new AccountBalances(new Account(2, LedgerAssets.Gbp, 1), 0, 15, 0, 501, T0),
        ]);

        (result.Ok, result.AccountId).ShouldBe((false, (UInt128?)2));
    }
}
