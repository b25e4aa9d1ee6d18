using System.Globalization;
using Microsoft.Data.Sqlite;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>The ledger contract on a SQLite file, plus what only a file has (its mode, its journal mode).</summary>
public sealed partial class SqliteLedgerStoreTests : LedgerStoreContract
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-ledger-");

    private string DatabasePath => Path.Combine(_directory.FullName, "ledger.db");

    protected override string DisableJournalTriggersSql => "DROP TRIGGER ledger_journal_no_update; DROP TRIGGER ledger_journal_no_delete;";

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Migrate_NewFile_OwnerOnlyWalAndVersion()
    {
        await SeedAsync();

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(DatabasePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (await ScalarAsync("PRAGMA journal_mode")).ShouldBe("wal");
        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqliteLedgerStore.SchemaVersion);
    }

    [Fact]
    public async Task Migrate_FileFromANewerBuild_Refused()
    {
        await OpenStore().MigrateAsync();
        await ExecuteAsync($"PRAGMA user_version = {SqliteLedgerStore.SchemaVersion + 1}");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => OpenStore().MigrateAsync());

        ex.Message.ShouldContain("newer");
    }

    protected override ILedgerStore OpenStore() => new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DatabasePath }, Clock);

    protected override string Blob(UInt128 value) => "X'" + Convert.ToHexString(LedgerCodecForTests.Encode(value)) + "'";

    protected override async Task ExecuteAsync(string sql) => await ScalarAsync(sql);

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(string.Create(CultureInfo.InvariantCulture, $"Data Source={DatabasePath};Pooling=False"));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
