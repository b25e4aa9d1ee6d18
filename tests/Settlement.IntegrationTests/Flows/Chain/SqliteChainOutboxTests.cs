using Microsoft.Data.Sqlite;
using Settlement.Service.Flows.Chain;
using Settlement.Service.Storage.Sqlite.Flows;

namespace Settlement.Service.IntegrationTests.Flows.Chain;

/// <summary>The outbox keeps the first transaction of a step, gains a mined block once, and refuses edits and deletes.</summary>
public sealed class SqliteChainOutboxTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-outbox-unit-");

    private string Database => Path.Combine(_directory.FullName, "outbox.db");

    [Fact]
    public async Task Add_SecondEntryForTheSameStep_KeepsTheFirst()
    {
        var outbox = new SqliteChainOutbox(Database);
        var first = Entry("s/1", "0xaa", nonce: 7);

        (await outbox.AddAsync(first)).ShouldBe(first, new EntryComparer());
        var kept = await outbox.AddAsync(Entry("s/1", "0xbb", nonce: 8));

        kept.TransactionHash.ShouldBe("0xaa");
        kept.Nonce.ShouldBe(7UL);
        (await outbox.ListUnminedAsync()).Select(e => e.StepKey).ShouldBe(["s/1"]);
    }

    [Fact]
    public async Task MarkMined_Once_LaterMarksIgnored_AndTheEntryLeavesTheUnminedList()
    {
        var outbox = new SqliteChainOutbox(Database);
        await outbox.AddAsync(Entry("s/2", "0xcc", nonce: 1));
        await outbox.AddAsync(Entry("s/3", "0xdd", nonce: 2));

        await outbox.MarkMinedAsync("s/2", 41);
        await outbox.MarkMinedAsync("s/2", 99);

        (await outbox.GetAsync("s/2"))!.MinedBlock.ShouldBe(41UL);
        (await outbox.ListUnminedAsync()).Select(e => e.StepKey).ShouldBe(["s/3"]);
    }

    [Fact]
    public async Task ListUnmined_OrderedBySenderThenNonce()
    {
        var outbox = new SqliteChainOutbox(Database);
        await outbox.AddAsync(Entry("b", "0x02", nonce: 5, sender: "0x22"));
        await outbox.AddAsync(Entry("a", "0x01", nonce: 9, sender: "0x11"));
        await outbox.AddAsync(Entry("c", "0x03", nonce: 4, sender: "0x22"));

        (await outbox.ListUnminedAsync()).Select(e => e.StepKey).ShouldBe(["a", "c", "b"]);
    }

    [Theory]
    [InlineData("DELETE FROM chain_outbox")]
    [InlineData("UPDATE chain_outbox SET raw = x'00'")]
    [InlineData("UPDATE chain_outbox SET tx_hash = '0xff'")]
    [InlineData("UPDATE chain_outbox SET nonce = 1")]
    public async Task EditsAndDeletes_RefusedByTheDatabase_EntryUnchanged(string sql)
    {
        var outbox = new SqliteChainOutbox(Database);
        var entry = Entry("s/4", "0xee", nonce: 3);
        await outbox.AddAsync(entry);

        await using (var connection = new SqliteConnection($"Data Source={Database}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            (await Should.ThrowAsync<SqliteException>(() => command.ExecuteNonQueryAsync())).Message.ShouldContain("chain_outbox");
        }

        (await outbox.GetAsync("s/4")).ShouldBe(entry, new EntryComparer());
    }

    [Fact]
    public async Task File_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await new SqliteChainOutbox(Database).GetAsync("none");

        File.GetUnixFileMode(Database).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private static ChainOutboxEntry Entry(string step, string hash, ulong nonce, string sender = "0x11") =>
        new(step, sender, nonce, hash, new byte[] { 1, 2, 3, (byte)nonce }, new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));

    private sealed class EntryComparer : IEqualityComparer<ChainOutboxEntry>
    {
        public bool Equals(ChainOutboxEntry? x, ChainOutboxEntry? y) =>
            x is not null && y is not null && x.StepKey == y.StepKey && x.Sender == y.Sender && x.Nonce == y.Nonce && x.TransactionHash == y.TransactionHash
            && x.RawTransaction.Span.SequenceEqual(y.RawTransaction.Span) && x.CreatedAt == y.CreatedAt && x.MinedBlock == y.MinedBlock;

        public int GetHashCode(ChainOutboxEntry obj) => obj.StepKey.GetHashCode(StringComparison.Ordinal);
    }
}
