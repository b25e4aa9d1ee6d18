extern alias postgres;

using Npgsql;
using postgres::Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.IntegrationTests.Payee.Storage;

namespace Settlement.Channels.IntegrationTests.Storage.PostgreSql;

/// <summary>The migration both PostgreSQL stores share, on its own: version rows, what it reports, the create race.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlSchemaTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly string[] Steps = ["CREATE TABLE first_step (x INTEGER)", "CREATE TABLE second_step (x INTEGER)"];
    private string? _connectionString;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("No database yet.");

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task MigrateAsync_NewDatabase_VersionRowsOneToNEachReportedOnce()
    {
        await using var connection = await OpenAsync();
        var applied = new List<int>();

        var before = await MigrateAsync(connection, Steps, applied.Add);
        var again = new List<int>();
        var after = await MigrateAsync(connection, Steps, again.Add);

        before.ShouldBe(0);
        applied.ShouldBe([1, 2]);
        after.ShouldBe(2);
        again.ShouldBeEmpty();
        (await ScalarAsync(connection, "SELECT string_agg(version::text, ',' ORDER BY version) FROM test_migrations")).ShouldBe("1,2");
        (await ScalarAsync(connection, "SELECT to_regclass('second_step') IS NOT NULL")).ShouldBe(true);
    }

    [Fact]
    public async Task MigrateAsync_NewerDatabase_RefusedWithTheStoreNameAndAdvice()
    {
        await using var connection = await OpenAsync();
        await MigrateAsync(connection, Steps, _ => { });
        await ScalarAsync(connection, "INSERT INTO test_migrations (version, applied_at) VALUES (3, CURRENT_TIMESTAMP)");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => MigrateAsync(connection, Steps, _ => { }));

        ex.Message.ShouldBe($"PostgreSQL test store '{connection.Database}' has schema version 3, newer than this build's 2: upgrade the test.");
    }

    [Fact]
    public async Task MigrateAsync_VersionTableCreatedByAnotherInstanceMeanwhile_LostRaceRetried()
    {
        // Another instance creates the version table and has not committed yet: this one's CREATE TABLE IF NOT EXISTS
        // does not see it, waits on the catalog's unique key, and fails with a unique violation once the other commits.
        await using var other = await OpenAsync();
        await using var otherTx = await other.BeginTransactionAsync();
        await ScalarAsync(other, "CREATE TABLE test_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)", otherTx);
        await using var connection = await OpenAsync();
        var pid = connection.ProcessID;
        var applied = new List<int>();

        var migrate = MigrateAsync(connection, Steps, applied.Add);
        await WaitUntilBlockedAsync(pid);
        await otherTx.CommitAsync();

        (await migrate).ShouldBe(0);
        applied.ShouldBe([1, 2]);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.DuplicateTable, 4)] // a lost create race: tried again, three times at most
    [InlineData(PostgresErrorCodes.InsufficientPrivilege, 1)] // anything else: thrown at once
    public async Task MigrateAsync_VersionTableCreateFails_TriedAgainOnlyForALostRace(string sqlState, long attempts)
    {
        await using var connection = await OpenAsync();
        // Every CREATE TABLE fails with sqlState; a sequence (not undone by the failure) counts the tries.
        await ScalarAsync(connection, $"""
            CREATE SEQUENCE create_attempts;
            CREATE FUNCTION refuse_create() RETURNS event_trigger LANGUAGE plpgsql AS
                $$ BEGIN PERFORM nextval('create_attempts'); RAISE EXCEPTION 'refused' USING ERRCODE = '{sqlState}'; END $$;
            CREATE EVENT TRIGGER refuse_create ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION refuse_create();
            """);
        using var runaway = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a loop that never gives up fails here instead of hanging

        var ex = await Should.ThrowAsync<PostgresException>(() =>
            PostgreSqlSchema.MigrateAsync(connection, "test store", "test_migrations", Steps, ".", _ => { }, runaway.Token));

        ex.SqlState.ShouldBe(sqlState);
        (await ScalarAsync(connection, "SELECT last_value FROM create_attempts")).ShouldBe(attempts);
        (await ScalarAsync(connection, "SELECT to_regclass('test_migrations') IS NULL")).ShouldBe(true);
    }

    [Fact]
    public async Task MigrateAsync_NullArguments_NameTheParameter()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);

        (await Should.ThrowAsync<ArgumentNullException>(() => PostgreSqlSchema.MigrateAsync(null!, "test store", "test_migrations", Steps, ".", _ => { }, default)))
            .ParamName.ShouldBe("connection");
        (await Should.ThrowAsync<ArgumentNullException>(() => PostgreSqlSchema.MigrateAsync(connection, "test store", "test_migrations", null!, ".", _ => { }, default)))
            .ParamName.ShouldBe("migrations");
        (await Should.ThrowAsync<ArgumentNullException>(() => PostgreSqlSchema.MigrateAsync(connection, "test store", "test_migrations", Steps, ".", null!, default)))
            .ParamName.ShouldBe("applied");
    }

    private static Task<long> MigrateAsync(NpgsqlConnection connection, IReadOnlyList<string> steps, Action<int> applied) =>
        PostgreSqlSchema.MigrateAsync(connection, "test store", "test_migrations", steps, ": upgrade the test.", applied, default);

    /// <summary>Polls the server until backend <paramref name="pid"/> waits for a lock (a condition, not a delay).</summary>
    private async Task WaitUntilBlockedAsync(int pid)
    {
        // Outside any transaction: pg_stat_activity is read once per transaction.
        await using var observer = await OpenAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(bool)(await ScalarAsync(observer, $"SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND wait_event_type = 'Lock')"))!)
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        return await command.ExecuteScalarAsync();
    }
}
