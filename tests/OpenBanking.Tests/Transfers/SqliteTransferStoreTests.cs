using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// <see cref="SqliteTransferStore"/>'s refusals (a stale version, a repeated id or notification) leave
/// the row and the audit trail as they were; the file and its WAL/SHM companions are owner-only.
/// </summary>
[Collection(SqlitePoolsCollection.Name)]
public sealed class SqliteTransferStoreTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("ob-store-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TryUpdate_StaleVersion_RefusedRowAndTrailUnchanged()
    {
        var store = NewStore();
        var op = Operation();
        (await store.TryInsertAsync(op, "created", CancellationToken.None)).ShouldBeTrue();
        (await store.TryUpdateAsync(op, op with { State = TransferState.AwaitingAuthorisation, ConsentId = "c-1" }, "consent-created", "c-1", Now.AddSeconds(1), CancellationToken.None))
            .ShouldBeTrue();
        var stored = (await store.GetAsync(op.Id, CancellationToken.None))!;
        stored.Version.ShouldBe(2);
        stored.UpdatedAt.ShouldBe(Now.AddSeconds(1));

        // A writer still holding version 1.
        (await store.TryUpdateAsync(op, op with { State = TransferState.Failed, LastError = "late" }, "consent-refused", null, Now.AddSeconds(2), CancellationToken.None))
            .ShouldBeFalse();

        (await store.GetAsync(op.Id, CancellationToken.None)).ShouldBe(stored);
        (await store.GetTransitionsAsync(op.Id, CancellationToken.None)).Select(h => (h.Event, h.From, h.To, h.Accepted))
            .ShouldBe([("created", null, TransferState.Created, true), ("consent-created", TransferState.Created, TransferState.AwaitingAuthorisation, true)]);
    }

    [Fact]
    public async Task TryUpdate_AuthorisationRequestAndSubSecondTimes_ReadBackExactly()
    {
        var store = NewStore();
        var created = Now.AddTicks(1_234_567);
        var op = Operation() with { CreatedAt = created, UpdatedAt = created };
        (await store.TryInsertAsync(op, "created", CancellationToken.None)).ShouldBeTrue();
        var at = created.AddTicks(7_654_321);

        (await store.TryUpdateAsync(op, op with { State = TransferState.AwaitingAuthorisation, ConsentId = "c-1", AuthorizationState = "state-1", NonceValue = "nonce-1", CodeVerifier = "verifier-1" },
            "consent-created", "c-1", at, CancellationToken.None)).ShouldBeTrue();

        var stored = (await store.GetAsync(op.Id, CancellationToken.None))!;
        stored.NonceValue.ShouldBe("nonce-1");
        stored.CodeVerifier.ShouldBe("verifier-1");
        stored.AuthorizationState.ShouldBe("state-1");
        stored.CreatedAt.ShouldBe(created);
        stored.UpdatedAt.ShouldBe(at);
        (await store.GetTransitionsAsync(op.Id, CancellationToken.None)).Select(h => h.At).ShouldBe([created, at]);
    }

    [Fact]
    public async Task AppendRefused_TransferNeverStored_RefusedByTheForeignKey_NoRow()
    {
        var store = NewStore();
        var op = Operation();

        var ex = await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(
            () => store.AppendRefusedAsync(op, TransferState.Completed, "status-refused-poll", "x", Now, CancellationToken.None));

        ex.Message.ShouldContain("FOREIGN KEY constraint failed");
        (await store.GetTransitionsAsync(op.Id, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task TryInsert_SameIdAgain_RefusedFirstKept()
    {
        var store = NewStore();
        var op = Operation();
        (await store.TryInsertAsync(op, "created", CancellationToken.None)).ShouldBeTrue();

        (await store.TryInsertAsync(op with { Instruction = op.Instruction with { Amount = new Money(999, "GBP") } }, "created", CancellationToken.None)).ShouldBeFalse();

        (await store.GetAsync(op.Id, CancellationToken.None))!.Instruction.Amount.ShouldBe(new Money(500, "GBP"));
        (await store.GetTransitionsAsync(op.Id, CancellationToken.None)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task TryRecordNotification_SameJtiTwice_SecondRefused_OtherBankAccepted()
    {
        var store = NewStore();
        (await store.TryRecordNotificationAsync("acme", "jti-1", Now, CancellationToken.None)).ShouldBeTrue();
        (await store.TryRecordNotificationAsync("acme", "jti-1", Now, CancellationToken.None)).ShouldBeFalse();
        (await store.TryRecordNotificationAsync("other", "jti-1", Now, CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task Lookups_ByConsentAndPaymentAreScopedToTheBank()
    {
        var store = NewStore();
        var op = Operation();
        await store.TryInsertAsync(op, "created", CancellationToken.None);
        await store.TryUpdateAsync(op, op with { ConsentId = "c-1", PaymentId = "p-1", State = TransferState.PaymentSubmitted }, "payment-created", null, Now, CancellationToken.None);

        (await store.FindByConsentAsync("acme", "c-1", CancellationToken.None))!.Id.ShouldBe(op.Id);
        (await store.FindByPaymentAsync("acme", "p-1", CancellationToken.None))!.Id.ShouldBe(op.Id);
        (await store.FindByConsentAsync("other", "c-1", CancellationToken.None)).ShouldBeNull();
        (await store.FindByPaymentAsync("other", "p-1", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public void Open_WiderDatabaseWalAndShm_AllNarrowedToOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var db = Path.Combine(_dir, "old.db");
        const UnixFileMode Wide = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        foreach (var file in new[] { db, db + "-wal", db + "-shm" })
        {
            File.WriteAllBytes(file, []);
            File.SetUnixFileMode(file, Wide);
        }

        _ = new SqliteTransferStore(db);

        foreach (var file in new[] { db, db + "-wal", db + "-shm" })
        {
            File.GetUnixFileMode(file).ShouldBe(OwnerOnly, file);
        }
    }

    [Fact]
    public void Open_InMemory_NoFileCreated()
    {
        var cwd = Environment.CurrentDirectory;
        var existed = File.Exists(Path.Combine(cwd, ":memory:"));

        _ = new SqliteTransferStore(":memory:");

        File.Exists(Path.Combine(cwd, ":memory:")).ShouldBe(existed);
    }

    private SqliteTransferStore NewStore() => new(Path.Combine(_dir, "t.db"));

    private static TransferOperation Operation()
    {
        var id = Guid.NewGuid();
        var compact = id.ToString("N");
        return new TransferOperation
        {
            Id = id,
            Kind = TransferKind.Topup,
            Bank = "acme",
            State = TransferState.Created,
            Instruction = new PaymentInstruction(compact[..30], compact[..30], new Money(500, "GBP"),
                new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"), null, null),
            Version = 1,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
    }
}
