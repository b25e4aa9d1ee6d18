using Microsoft.Data.Sqlite;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Indexer;

/// <summary>The indexer contract on SQLite files (a new file per database).</summary>
public sealed class SqliteChainIndexStoreTests : ChainIndexStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-indexer-");
    private int _databases;

    protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult(Path.Combine(_directory.FullName, $"ledger-{Interlocked.Increment(ref _databases)}.db"));

    protected override LedgerDb Open(string database)
    {
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = database }, Clock);
        return new LedgerDb(store, store);
    }

    [Fact]
    public async Task Rollback_HistoryRowRecordsTheRangeAndTheTarget()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);

        await db.Index.RollbackAsync(new ChainRollback(Stream, B(3), B(1)));
        await db.Index.RollbackAsync(new ChainRollback(Stream, B(1), null));

        var rows = new List<string>();
        await using (var connection = new SqliteConnection($"Data Source={Database}"))
        {
            await connection.OpenAsync();
            await using var select = connection.CreateCommand();
            select.CommandText = "SELECT stream, epoch, from_block, from_hash, to_block, to_hash, events_reversed, transfers_reversed, at FROM indexer_rollbacks ORDER BY epoch";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }
        }

        rows.ShouldBe(
        [
            $"{Stream}|1|3|{B(3).Hash}|1|{B(1).Hash}|2|1|{T0.UtcTicks}",
            $"{Stream}|2|1|{B(1).Hash}|NULL|NULL|1|1|{T0.UtcTicks}",
        ]);
    }

    [Fact]
    public async Task PayeeTotalCorruptedInTheFile_ReadRefusedNamingTheColumn()
    {
        var db = Db();
        await db.Index.ApplyBatchAsync(First);
        await db.Index.ApplyBatchAsync(Second);
        await using (var connection = new SqliteConnection($"Data Source={Database}"))
        {
            await connection.OpenAsync();
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE indexer_events SET payee_cumulative = x'00' WHERE payee_cumulative IS NOT NULL";
            (await update.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        const string Message = "The ledger's payee cumulative is not a 16-byte value.";
        (await Should.ThrowAsync<InvalidDataException>(() => Db().Index.GetChannelsAsync(Stream, [Second.Channels[0].ChannelId]))).Message.ShouldBe(Message);
        (await Should.ThrowAsync<InvalidDataException>(() => Db().Index.ListEventsAsync(Stream))).Message.ShouldBe(Message);
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
