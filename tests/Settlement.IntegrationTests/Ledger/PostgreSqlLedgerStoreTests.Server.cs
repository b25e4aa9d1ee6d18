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

        await ShouldRefuseNullArgumentsAsync(store);

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

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation, 3, null, 4)]
    [InlineData(PostgresErrorCodes.DuplicateTable, 1, null, 2)]
    [InlineData(PostgresErrorCodes.DuplicateObject, 1, null, 2)]
    [InlineData(PostgresErrorCodes.UniqueViolation, 4, PostgresErrorCodes.UniqueViolation, 4)]
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, 1, PostgresErrorCodes.InsufficientPrivilege, 1)]
    public async Task Migrate_CreatingTheVersionTableRacesAnotherInstance_RetriedThreeTimesForTheRaceOnly(string sqlState, int failures, string? thrown, long attempts)
    {
        // Two instances creating the version table at once: the loser's CREATE TABLE IF NOT EXISTS fails with one of these
        // SQLSTATEs. Planted here with an event trigger that fails that one statement the first `failures` times.
        await ExecuteAsync($"""
            CREATE SEQUENCE planted_create_attempts;
            CREATE FUNCTION planted_create_failure() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF current_query() LIKE 'CREATE TABLE IF NOT EXISTS ledger_schema_migrations%' AND nextval('planted_create_attempts') <= {failures} THEN
                        RAISE EXCEPTION 'planted failure' USING ERRCODE = '{sqlState}';
                    END IF;
                END $$;
            CREATE EVENT TRIGGER planted_create_failure ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION planted_create_failure();
            """);
        var store = OpenStore();

        if (thrown is null)
        {
            await store.MigrateAsync();
            (await store.CreateAccountsAsync([UserAccount(50)])).ShouldBe([CreateAccountResult.Ok]);
        }
        else
        {
            (await Should.ThrowAsync<PostgresException>(() => store.MigrateAsync())).SqlState.ShouldBe(thrown);
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT last_value FROM planted_create_attempts", connection);
        (await read.ExecuteScalarAsync()).ShouldBe(attempts);
    }

    [Fact]
    public async Task Batch_AnAccountsBalanceUpdateSkipped_RefusedWithTheCountNothingWritten()
    {
        var store = await SeedAsync();
        var before = await store.ListAccountsAsync();
        var head = await store.VerifyJournalAsync();

        // A BEFORE UPDATE trigger that returns NULL skips the row: the batch's update then changes fewer accounts than it locked.
        await ExecuteAsync($"""
            CREATE FUNCTION planted_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER planted_skip BEFORE UPDATE ON ledger_accounts FOR EACH ROW WHEN (OLD.id = {Blob(Merchant)}) EXECUTE FUNCTION planted_skip();
            """);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.CreateTransfersAsync([Move(200, User, Merchant, 5)]));

        ex.Message.ShouldBe("Ledger batch updated 1 of 2 accounts.");
        (await store.ListAccountsAsync()).ShouldBe(before);
        (await store.LookupTransfersAsync([200])).ShouldBeEmpty();
        (await store.VerifyJournalAsync()).ShouldBe(head);
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
