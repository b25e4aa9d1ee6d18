using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Settlement.Service.IntegrationTests.SettlementHost;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>
/// What only the SQLite file has: argument checks before the file is opened, the migration and its log, the file's
/// mode, the per-connection busy timeout, readers beside a writer, the expiry index, the journal's own checks.
/// </summary>
public sealed partial class SqliteLedgerStoreTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A hang guard for the lock tests (a store that waits for the lock forever), not a timing assertion.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private SqliteLedgerStore ZeroBusyTimeoutStore() =>
        new(new SqliteLedgerStoreOptions { Path = DatabasePath, BusyTimeout = TimeSpan.Zero }, Clock);

    [Fact]
    public void Constructor_NoOptionsOrBlankPath_RefusedByName()
    {
        Should.Throw<ArgumentNullException>(() => new SqliteLedgerStore(null!)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentNullException>(() => new SqliteLedgerStore(new SqliteLedgerStoreOptions())).ParamName.ShouldBe("options.Path");
        Should.Throw<ArgumentException>(() => new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = " " })).ParamName.ShouldBe("options.Path");
    }

    [Fact]
    public async Task NullArguments_RefusedByNameBeforeTheFileIsOpened()
    {
        var store = (SqliteLedgerStore)OpenStore();

        await ShouldRefuseNullArgumentsAsync(store);

        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task EmptyBatches_AnsweredEmptyWithoutTouchingTheFile()
    {
        var store = OpenStore();

        (await store.CreateAccountsAsync([])).ShouldBeEmpty();
        (await store.CreateTransfersAsync([])).ShouldBeEmpty();

        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task CreateBatches_CancelledEvenWhenEmpty_Refused()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => OpenStore().CreateAccountsAsync([], cancelled.Token));
        await Should.ThrowAsync<OperationCanceledException>(() => OpenStore().CreateTransfersAsync([], cancelled.Token));

        File.Exists(DatabasePath).ShouldBeFalse();
    }

    [Fact]
    public async Task Migrate_NewFileThenAgain_LoggedOnceWithTheVersions()
    {
        using var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var store = new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DatabasePath }, Clock, factory.CreateLogger<SqliteLedgerStore>());
        using var guard = new CancellationTokenSource(HangGuard);

        await store.MigrateAsync(guard.Token);
        await store.MigrateAsync(guard.Token); // the same instance again: the migration lock was released
        await new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = DatabasePath }, Clock, factory.CreateLogger<SqliteLedgerStore>()).MigrateAsync(guard.Token);

        logs.Entries.ShouldBe([(1, LogLevel.Information, $"Ledger {DatabasePath}: schema migrated from version 0 to {SqliteLedgerStore.SchemaVersion}")]);
        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqliteLedgerStore.SchemaVersion);
    }

    [Fact]
    public async Task Migrate_InMemoryDatabase_RefusedForWalAndNoFileCreated()
    {
        var memory = Path.Combine(Environment.CurrentDirectory, ":memory:");
        var existed = File.Exists(memory);
        try
        {
            var ex = await Should.ThrowAsync<InvalidOperationException>(() => new SqliteLedgerStore(new SqliteLedgerStoreOptions { Path = ":memory:" }).MigrateAsync());

            ex.Message.ShouldBe("SQLite ledger ':memory:': could not enable WAL (journal mode is 'memory').");
            File.Exists(memory).ShouldBe(existed);
        }
        finally
        {
            if (!existed && File.Exists(memory))
            {
                File.Delete(memory);
            }
        }
    }

    [Fact]
    public async Task Open_WorldReadableFileWithItsWalAndShm_AllThreeNarrowedToOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await SeedAsync();

        // A connection kept open keeps the -wal and -shm files (SQLite removes them when the last one closes).
        await using var holder = new SqliteConnection(string.Create(CultureInfo.InvariantCulture, $"Data Source={DatabasePath};Pooling=False"));
        await holder.OpenAsync();
        await using (var read = holder.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM ledger_accounts";
            (await read.ExecuteScalarAsync()).ShouldBe(8L);
        }

        var files = new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" };
        foreach (var file in files)
        {
            File.SetUnixFileMode(file, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        (await OpenStore().ListAccountsAsync()).Count.ShouldBe(8);

        files.Select(File.GetUnixFileMode).ShouldBe([OwnerOnly, OwnerOnly, OwnerOnly]);
    }

    /// <remarks>
    /// A zero busy timeout still waits one second (the connection's command timeout is at least one second); zero
    /// there would make Microsoft.Data.Sqlite retry a locked statement until the lock is gone.
    /// </remarks>
    [Fact]
    public async Task CreateTransfers_ZeroBusyTimeoutAndTheWriteLockHeldElsewhere_FailsBusyAndNothingChanged()
    {
        await SeedAsync();
        var store = ZeroBusyTimeoutStore();
        await store.MigrateAsync();
        var before = await store.ListAccountsAsync();

        await using (var writer = await HoldWriteLockAsync())
        {
            // On another thread: Microsoft.Data.Sqlite's async calls block their caller while they retry a lock.
            var ex = await Should.ThrowAsync<SqliteException>(() => Task.Run(() => store.CreateTransfersAsync([Move(300, Clearing, User, 5)])).WaitAsync(HangGuard));

            ex.SqliteErrorCode.ShouldBe(5); // SQLITE_BUSY
        }

        (await store.ListAccountsAsync()).ShouldBe(before);
        (await store.CreateTransfersAsync([Move(300, Clearing, User, 5)])).ShouldBe([CreateTransferResult.Ok]);
    }

    [Fact]
    public async Task Reads_WhileAnotherConnectionHoldsTheWriteLock_AnswerWithoutWaiting()
    {
        var seeded = await SeedAsync();
        var accounts = await seeded.ListAccountsAsync();
        var store = ZeroBusyTimeoutStore();
        await store.MigrateAsync();

        await using var writer = await HoldWriteLockAsync();

        // On another thread: Microsoft.Data.Sqlite's async calls block their caller while they retry a lock.
        (await Task.Run(() => store.ListAccountsAsync()).WaitAsync(HangGuard)).ShouldBe(accounts);
        (await Task.Run(() => store.LookupAccountsAsync([User])).WaitAsync(HangGuard)).ShouldBe([Find(accounts, User)]);
        (await Task.Run(() => store.LookupTransfersAsync([Posted])).WaitAsync(HangGuard)).ShouldHaveSingleItem().Transfer.Id.ShouldBe((UInt128)Posted);
        var verification = await Task.Run(() => store.VerifyJournalAsync()).WaitAsync(HangGuard);
        verification.Ok.ShouldBeTrue(verification.Problem);
        verification.Entries.ShouldBe(16);
    }

    /// <summary>
    /// <c>expires_at</c> is the index the expiry sweep selects on: set for a pending transfer with a timeout only, at
    /// its creation plus the timeout (the seeded pendings 102 and 103 have none; accounts, posts and voids never do).
    /// </summary>
    [Fact]
    public async Task ExpiresAt_OnlyPendingWithATimeout_CreationPlusTimeout()
    {
        var store = await SeedAsync();
        Clock.Advance(TimeSpan.FromSeconds(60));
        (await store.ExpirePendingAsync()).ShouldBe([(UInt128)PendingOpen]);

        var rows = await ScalarAsync("SELECT group_concat(seq || ':' || expires_at, ' ') FROM ledger_journal WHERE expires_at IS NOT NULL");

        rows.ShouldBe(string.Create(CultureInfo.InvariantCulture, $"11:{T0.UtcTicks + (60 * TimeSpan.TicksPerSecond)}"));
        (await ScalarAsync("SELECT COUNT(*) FROM ledger_journal")).ShouldBe(17L);
    }

    [Fact]
    public async Task CreateTransfers_AccountRowNotUpdated_ThrowsNamingTheFirstAccountAndNothingChanged()
    {
        var store = await SeedAsync();
        var before = await SnapshotAsync(store);

        // What a trigger planted by someone with file access could do: every balance update silently skipped.
        await ExecuteAsync("CREATE TRIGGER ledger_accounts_frozen BEFORE UPDATE ON ledger_accounts BEGIN SELECT RAISE(IGNORE); END;");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => OpenStore().CreateTransfersAsync([Move(300, Clearing, User, 5)]));

        ex.Message.ShouldBe($"Ledger account {User} vanished during a batch."); // updated in id order: User (1) before Clearing (3)
        (await SnapshotAsync(store)).ShouldBe(before);
        (await store.LookupTransfersAsync([300])).ShouldBeEmpty();
        (await store.VerifyJournalAsync()).Entries.ShouldBe(16);
    }

    [Fact]
    public void ToString_NamesTheFile()
    {
        OpenStore().ToString().ShouldBe($"SQLite ledger at {DatabasePath}");
    }

    /// <summary>Another connection in <c>BEGIN IMMEDIATE</c>: it holds the file's write lock until disposed (rolled back).</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection(string.Create(CultureInfo.InvariantCulture, $"Data Source={DatabasePath};Pooling=False"));
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }
}
