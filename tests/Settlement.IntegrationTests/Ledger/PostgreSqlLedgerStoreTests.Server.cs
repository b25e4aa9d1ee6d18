using Npgsql;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>What only the PostgreSQL store has: argument checks before the database is touched, empty batches, its name.</summary>
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

    /// <summary>The tables in the test database's public schema (0 until the store has migrated).</summary>
    private async Task<long> TableCountAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
