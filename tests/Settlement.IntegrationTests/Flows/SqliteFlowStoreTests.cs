using Microsoft.Data.Sqlite;
using Settlement.Service.Flows;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The flow store contract on a SQLite file.</summary>
public sealed class SqliteFlowStoreTests : FlowStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-flowstore-");

    private string DbPath => Path.Combine(_directory.FullName, "settlement.db");

    protected override IFlowStore Store() => new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DbPath });

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }
}
