using Microsoft.Extensions.Logging;
using Npgsql;
using Settlement.Service.IntegrationTests.SettlementHost;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>What only the PostgreSQL store has: argument checks before the database is touched, empty batches, its name, its migrations.</summary>
public sealed partial class PostgreSqlLedgerStoreTests
{
    [Fact]
    public void Constructor_NoDataSourceOrNegativeRetries_RefusedByName()
    {
        Should.Throw<ArgumentNullException>(() => new PostgreSqlLedgerStore(null!)).ParamName.ShouldBe("dataSource");
        using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        Should.Throw<ArgumentOutOfRangeException>(() => new PostgreSqlLedgerStore(dataSource, Clock, maxRetries: -1)).ParamName.ShouldBe("maxRetries");
        new PostgreSqlLedgerStore(dataSource, Clock, maxRetries: 0).ToString().ShouldBe("PostgreSQL ledger");
    }

    [Fact]
    public async Task NullArguments_RefusedByNameBeforeTheDatabaseIsTouched()
    {
        var store = (PostgreSqlLedgerStore)OpenStore();

        (await Should.ThrowAsync<ArgumentNullException>(() => store.CreateAccountsAsync(null!))).ParamName.ShouldBe("accounts");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.CreateTransfersAsync(null!))).ParamName.ShouldBe("transfers");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.LookupAccountsAsync(null!))).ParamName.ShouldBe("ids");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.LookupTransfersAsync(null!))).ParamName.ShouldBe("ids");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.TryInsertSweepingConsentAsync(null!))).ParamName.ShouldBe("consent");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.GetSweepingConsentAsync(null!))).ParamName.ShouldBe("consentId");

        (await TableCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task EmptyBatches_AnsweredEmptyWithoutTouchingTheDatabase()
    {
        var store = OpenStore();

        (await store.CreateAccountsAsync([])).ShouldBeEmpty();
        (await store.CreateTransfersAsync([])).ShouldBeEmpty();

        (await TableCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Cancelled_RefusedBeforeTheDatabaseIsTouched()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var store = OpenStore();

        await Should.ThrowAsync<OperationCanceledException>(() => store.MigrateAsync(cancelled.Token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.CreateAccountsAsync([UserAccount(50)], cancelled.Token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ExpirePendingAsync(cancelled.Token));

        (await TableCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Migrate_NewDatabaseThenAgain_EachVersionAppliedAndLoggedOnce()
    {
        using var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var store = new PostgreSqlLedgerStore(dataSource, Clock, logger: factory.CreateLogger<PostgreSqlLedgerStore>());

        await store.MigrateAsync();
        await store.MigrateAsync(); // the same instance again: the migration lock was released
        await new PostgreSqlLedgerStore(dataSource, Clock, logger: factory.CreateLogger<PostgreSqlLedgerStore>()).MigrateAsync();

        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        logs.Entries.ShouldBe(Enumerable.Range(1, PostgreSqlLedgerStore.SchemaVersion)
            .Select(v => (1, LogLevel.Information, $"Ledger {database}: schema version {v} applied")));
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var versions = new NpgsqlCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM ledger_schema_migrations", connection);
        (await versions.ExecuteScalarAsync()).ShouldBe(string.Join(',', Enumerable.Range(1, PostgreSqlLedgerStore.SchemaVersion)));
    }

    [Fact]
    public async Task Migrate_DatabaseFromANewerBuild_RefusedWithBothVersionsNothingWritten()
    {
        await OpenStore().MigrateAsync();
        var newer = PostgreSqlLedgerStore.SchemaVersion + 1;
        await ExecuteAsync($"INSERT INTO ledger_schema_migrations (version, applied_at) VALUES ({newer}, CURRENT_TIMESTAMP)");
        var store = OpenStore();

        var migrate = await Should.ThrowAsync<InvalidOperationException>(() => store.MigrateAsync());
        var create = await Should.ThrowAsync<InvalidOperationException>(() => store.CreateAccountsAsync([UserAccount(50)]));

        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        migrate.Message.ShouldBe($"PostgreSQL ledger '{database}' has schema version {newer}, newer than this build's {PostgreSqlLedgerStore.SchemaVersion}: upgrade the settlement service.");
        create.Message.ShouldBe(migrate.Message);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var accounts = new NpgsqlCommand("SELECT COUNT(*) FROM ledger_accounts", connection);
        (await accounts.ExecuteScalarAsync()).ShouldBe(0L);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    public async Task Batch_FailsTwiceWithARetriedSqlState_RetriedTwiceEachLoggedThenApplied(string sqlState)
    {
        var (store, logs) = await PlantedStoreAsync(sqlState, failures: 2, maxRetries: 2);

        (await store.CreateAccountsAsync([UserAccount(50)])).ShouldBe([CreateAccountResult.Ok]);

        (await PlantedSqlStateFailure.AttemptsAsync(ConnectionString)).ShouldBe(3);
        logs.Entries.Where(e => e.EventId == 2).ShouldBe(
        [
            (2, LogLevel.Debug, $"Ledger batch retried after SQLSTATE {sqlState} (attempt 1)"),
            (2, LogLevel.Debug, $"Ledger batch retried after SQLSTATE {sqlState} (attempt 2)"),
        ]);
        (await store.LookupAccountsAsync([50])).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Batch_FailsMoreOftenThanMaxRetries_TheLastFailureThrownNothingWritten()
    {
        var (store, logs) = await PlantedStoreAsync(PostgresErrorCodes.SerializationFailure, failures: 1_000, maxRetries: 2);

        var ex = await Should.ThrowAsync<PostgresException>(() => store.CreateAccountsAsync([UserAccount(50)]));

        ex.SqlState.ShouldBe(PostgresErrorCodes.SerializationFailure);
        (await PlantedSqlStateFailure.AttemptsAsync(ConnectionString)).ShouldBe(3);
        logs.Entries.Count(e => e.EventId == 2).ShouldBe(2);
        (await store.LookupAccountsAsync([50])).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(PostgresErrorCodes.CheckViolation)]
    [InlineData(PostgresErrorCodes.LockNotAvailable)]
    [InlineData(PostgresErrorCodes.QueryCanceled)]
    public async Task Batch_FailsWithAnotherSqlState_ThrownAtOnceNotRetried(string sqlState)
    {
        var (store, logs) = await PlantedStoreAsync(sqlState, failures: 1, maxRetries: 5);

        (await Should.ThrowAsync<PostgresException>(() => store.CreateAccountsAsync([UserAccount(50)]))).SqlState.ShouldBe(sqlState);

        (await PlantedSqlStateFailure.AttemptsAsync(ConnectionString)).ShouldBe(1);
        logs.Entries.ShouldNotContain(e => e.EventId == 2);
        (await store.LookupAccountsAsync([50])).ShouldBeEmpty();
    }

    [Fact]
    public async Task Journal_ExpiresAtOnlyOnThePendingTransferWithATimeout_NotOnItsExpiry()
    {
        var store = await SeedAsync();
        Clock.Advance(TimeSpan.FromSeconds(60));
        (await store.ExpirePendingAsync()).ShouldBe([(UInt128)PendingOpen]);

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT encode(id, 'hex'), kind, expires_at FROM ledger_journal WHERE expires_at IS NOT NULL", connection);
        await using var reader = await select.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        (reader.GetString(0), reader.GetInt64(2)).ShouldBe((Convert.ToHexStringLower(LedgerCodecForTests.Encode(PendingOpen)), T0.AddSeconds(60).UtcTicks));
        (await reader.ReadAsync()).ShouldBeFalse("the pending transfers without a timeout, the plain transfers, the accounts and the expiry itself have none");
    }

    /// <summary>A migrated store whose inserts into ledger_accounts fail <paramref name="failures"/> times with <paramref name="sqlState"/>, logging to the returned collector.</summary>
    private async Task<(PostgreSqlLedgerStore Store, CollectingLoggerProvider Logs)> PlantedStoreAsync(string sqlState, int failures, int maxRetries)
    {
        var logs = new CollectingLoggerProvider();
        var factory = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(dataSource);
        var store = new PostgreSqlLedgerStore(dataSource, Clock, maxRetries, factory.CreateLogger<PostgreSqlLedgerStore>());
        await store.MigrateAsync();
        await PlantedSqlStateFailure.PlantAsync(ConnectionString, "ledger_accounts", sqlState, failures);
        return (store, logs);
    }

    /// <summary>The tables in the test database's public schema (0 until the store has migrated).</summary>
    private async Task<long> TableCountAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
