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

    [Fact]
    public void Constructor_NoPath_RefusedByName()
    {
        Should.Throw<ArgumentNullException>(() => new SqliteChainOutbox(null!)).ParamName.ShouldBe("path");
        Should.Throw<ArgumentException>(() => new SqliteChainOutbox(" ")).ParamName.ShouldBe("path");
    }

    [Fact]
    public async Task NullOrEmptyArguments_RefusedByTheirName_NothingStored()
    {
        var outbox = new SqliteChainOutbox(Database);

        (await Should.ThrowAsync<ArgumentException>(() => outbox.GetAsync(""))).ParamName.ShouldBe("stepKey");
        (await Should.ThrowAsync<ArgumentNullException>(() => outbox.AddAsync(null!))).ParamName.ShouldBe("entry");
        (await Should.ThrowAsync<ArgumentException>(() => outbox.AddAsync(Entry("", "0xaa", nonce: 1)))).ParamName.ShouldBe("entry.StepKey");
        (await Should.ThrowAsync<ArgumentException>(() => outbox.MarkMinedAsync("", 1))).ParamName.ShouldBe("stepKey");

        (await outbox.ListUnminedAsync()).ShouldBeEmpty();
    }

    /// <summary>The nonce and block columns are signed 64-bit: a larger number is refused, never stored wrapped.</summary>
    [Fact]
    public async Task Add_NonceBeyondInt64_OverflowAndNothingStored()
    {
        var outbox = new SqliteChainOutbox(Database);

        await Should.ThrowAsync<OverflowException>(() => outbox.AddAsync(Entry("s/5", "0xaa", nonce: (ulong)long.MaxValue + 1)));

        (await outbox.GetAsync("s/5")).ShouldBeNull();
        (await outbox.ListUnminedAsync()).ShouldBeEmpty();
        (await outbox.AddAsync(Entry("s/5", "0xaa", nonce: long.MaxValue))).Nonce.ShouldBe((ulong)long.MaxValue);
    }

    [Fact]
    public async Task MarkMined_BlockBeyondInt64_OverflowAndStillUnmined()
    {
        var outbox = new SqliteChainOutbox(Database);
        var entry = Entry("s/6", "0xaa", nonce: 1);
        await outbox.AddAsync(entry);

        await Should.ThrowAsync<OverflowException>(() => outbox.MarkMinedAsync("s/6", (ulong)long.MaxValue + 1));

        (await outbox.GetAsync("s/6")).ShouldBe(entry, new EntryComparer());
        (await outbox.ListUnminedAsync()).Select(e => e.StepKey).ShouldBe(["s/6"]);
        await outbox.MarkMinedAsync("s/6", long.MaxValue);
        (await outbox.GetAsync("s/6"))!.MinedBlock.ShouldBe((ulong)long.MaxValue);
    }

    [Theory]
    [InlineData("-1", "NULL")]
    [InlineData("1", "-1")]
    public async Task Read_NegativeNonceOrBlockWrittenByAnotherWriter_Overflow(string nonce, string minedBlock)
    {
        var outbox = new SqliteChainOutbox(Database);
        (await outbox.GetAsync("s/7")).ShouldBeNull();
        await using (var connection = new SqliteConnection($"Data Source={Database}"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO chain_outbox (step_key, sender, nonce, tx_hash, raw, created_at, mined_block) VALUES ('s/7', '0x11', {nonce}, '0xaa', x'01', 0, {minedBlock})";
            (await insert.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await Should.ThrowAsync<OverflowException>(() => outbox.GetAsync("s/7"));
    }

    [Fact]
    public async Task File_IsInWalMode()
    {
        await new SqliteChainOutbox(Database).GetAsync("none");

        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode";
        (await pragma.ExecuteScalarAsync()).ShouldBe("wal");
    }

    /// <summary>
    /// A first use that fails (here: the directory is missing) leaves the outbox usable once the cause is gone. The
    /// time limit only keeps a regression (the initialisation lock kept after the failure) from hanging the run.
    /// </summary>
    [Fact]
    public async Task FirstUseFails_NextUseAfterTheCauseIsGone_Works()
    {
        var directory = Path.Combine(_directory.FullName, "later");
        var outbox = new SqliteChainOutbox(Path.Combine(directory, "outbox.db"));
        await Should.ThrowAsync<DirectoryNotFoundException>(() => outbox.GetAsync("s/8"));

        Directory.CreateDirectory(directory);

        var entry = Entry("s/8", "0xaa", nonce: 1);
        (await outbox.AddAsync(entry).WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(entry, new EntryComparer());
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
