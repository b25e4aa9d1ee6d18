using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// A process that dies at a checkpoint (simulated: the observer throws, nothing after it runs or is
/// saved) and a new connector over the same database resuming; the lease that keeps two resumes of
/// one transfer apart; the refusals of CreateAsync; the database's file mode.
/// </summary>
public sealed class TransferCrashResumeTests
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task CrashAfterCodeSaved_Resume_ExchangesSavedCodeWithoutAuthorisingAgain()
    {
        var (bank, time, db) = Shared();
        var id = Guid.NewGuid();
        using (var before = new TestConnector(databasePath: db, bank: bank, time: time, checkpoints: new CrashAt(TransferCheckpoint.CodeSaved)))
        {
            await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.StartTopupAsync(Request(id), CancellationToken.None));
            var saved = (await before.Transfers.GetAsync(id, CancellationToken.None))!;
            saved.State.ShouldBe(TransferState.AwaitingAuthorisation);
        }

        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var resumed = (await after.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        bank.Requests.Count(r => r.Uri.AbsolutePath == "/as/authorize").ShouldBe(1);
        bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task RedirectBank_CrashAfterCodeSavedFromRedirect_ResumeExchangesItOnePayment()
    {
        var (bank, time, db) = Shared();
        Guid id;
        using (var before = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time,
            checkpoints: new CrashAt(TransferCheckpoint.CodeSaved)))
        {
            var op = await before.Transfers.StartTopupAsync(Request(null), CancellationToken.None);
            id = op.Id;
            using var http = new HttpClient(bank, disposeHandler: false);
            using var redirect = await http.GetAsync(op.AuthorizationUrl);
            var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
            await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None));
        }

        using var after = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time);
        var resumed = await after.Transfers.AdvanceAsync(id, CancellationToken.None);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        bank.PaymentsCreated.ShouldBe(1);
        (await after.Transfers.GetHistoryAsync(id, CancellationToken.None)).Select(h => h.Event)
            .ShouldBe(["created", "consent-created", "authorisation-code-received", "authorised", "payment-created"]);
    }

    [Fact]
    public async Task CrashAfterPaymentCreatedAtBank_Resume_RepostsSameKeyAndBodyOnePayment()
    {
        var (bank, time, db) = Shared();
        var id = Guid.NewGuid();
        using (var before = new TestConnector(databasePath: db, bank: bank, time: time, checkpoints: new CrashAt(TransferCheckpoint.PaymentCreatedAtBank)))
        {
            await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.StartTopupAsync(Request(id), CancellationToken.None));
            (await before.Transfers.GetAsync(id, CancellationToken.None))!.State.ShouldBe(TransferState.SubmittingPayment);
        }

        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var resumed = await after.Transfers.AdvanceAsync(id, CancellationToken.None);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        resumed.PaymentId.ShouldBe(bank.Payments.Keys.Single());
        bank.PaymentsCreated.ShouldBe(1);
        var posts = bank.Requests.Where(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)).ToList();
        posts.Count.ShouldBe(2);
        posts.Select(r => r.Headers["x-idempotency-key"]).Distinct().ShouldBe([resumed.PaymentIdempotencyKey]);
        posts.Select(r => Convert.ToHexString(r.Body)).Distinct().Count().ShouldBe(1);
        (await after.Transfers.GetHistoryAsync(id, CancellationToken.None)).Count(h => h.Event == "payment-created").ShouldBe(1);
    }

    [Fact]
    public async Task LeaseHeldByLiveProcessElsewhere_TryAdvance_BusyNothingSentStateUnchanged()
    {
        using var t = new TestConnector();
        var created = await t.Transfers.CreateAsync(TransferKind.Topup, Request(Guid.NewGuid()), CancellationToken.None);
        created.Outcome.ShouldBe(TransferCreationOutcome.Created);
        StoredLease.Hold(t, created.Operation.Id, "other-host/4242/1/abcd", t.Time.GetUtcNow().AddMinutes(5));
        var requestsBefore = t.Bank.Requests.Count;

        var advance = await t.Transfers.TryAdvanceAsync(created.Operation.Id, CancellationToken.None);
        advance.Busy.ShouldBeTrue();
        advance.BusyWith.ShouldBe("other-host pid 4242");
        advance.Operation.ShouldBe(created.Operation);
        (await t.Transfers.GetAsync(created.Operation.Id, CancellationToken.None)).ShouldBe(created.Operation);
        (await t.Transfers.GetHistoryAsync(created.Operation.Id, CancellationToken.None)).Select(h => h.Event).ShouldBe(["created"]);
        t.Bank.Requests.Count.ShouldBe(requestsBefore);

        // Expired: taken over.
        t.Time.Advance(TimeSpan.FromMinutes(6));
        var later = await t.Transfers.TryAdvanceAsync(created.Operation.Id, CancellationToken.None);
        later.Busy.ShouldBeFalse();
        later.Operation.State.ShouldBe(TransferState.PaymentSubmitted);
    }

    [Fact]
    public async Task LeaseLeftByKilledProcessOnThisHost_TryAdvance_TakenOverAtOnce()
    {
        using var t = new TestConnector();
        var created = await t.Transfers.CreateAsync(TransferKind.Topup, Request(Guid.NewGuid()), CancellationToken.None);

        // This pid with another start time: a process that no longer exists.
        StoredLease.Hold(t, created.Operation.Id, $"{Environment.MachineName}/{Environment.ProcessId}/1/dead", t.Time.GetUtcNow().AddMinutes(5));
        var advance = await t.Transfers.TryAdvanceAsync(created.Operation.Id, CancellationToken.None);
        advance.Busy.ShouldBeFalse();
        advance.Operation.State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task Create_SameIdOtherRequest_ConflictStateUnchanged()
    {
        using var t = new TestConnector();
        var id = Guid.NewGuid();
        var first = await t.Transfers.CreateAsync(TransferKind.Topup, Request(id), CancellationToken.None);
        first.Outcome.ShouldBe(TransferCreationOutcome.Created);
        t.Bank.Requests.ShouldNotContain(r => r.Method == "POST");

        var same = await t.Transfers.CreateAsync(TransferKind.Topup, Request(id), CancellationToken.None);
        same.Outcome.ShouldBe(TransferCreationOutcome.Existing);
        same.Operation.ShouldBe(first.Operation);

        var other = await t.Transfers.CreateAsync(TransferKind.Topup, Request(id) with { AmountMinor = 501 }, CancellationToken.None);
        other.Outcome.ShouldBe(TransferCreationOutcome.Conflict);
        other.Operation.ShouldBe(first.Operation);
        var payout = await t.Transfers.CreateAsync(TransferKind.Payout, Request(id), CancellationToken.None);
        payout.Outcome.ShouldBe(TransferCreationOutcome.Conflict);
        (await t.Transfers.GetAsync(id, CancellationToken.None)).ShouldBe(first.Operation);
        (await t.Transfers.GetHistoryAsync(id, CancellationToken.None)).Select(h => h.Event).ShouldBe(["created"]);
    }

    [Fact]
    public async Task FindSameRequest_MatchesKindAmountAccountReferenceOnly()
    {
        using var t = new TestConnector();
        var a = await t.Transfers.StartTopupAsync(Request(Guid.NewGuid()) with { Reference = "INV-1" }, CancellationToken.None);
        await t.Transfers.StartTopupAsync(Request(Guid.NewGuid()) with { Reference = "INV-2" }, CancellationToken.None);
        await t.Transfers.StartTopupAsync(Request(Guid.NewGuid()) with { Reference = "INV-1", AmountMinor = 501 }, CancellationToken.None);

        var found = await t.Transfers.FindSameRequestAsync(TransferKind.Topup, Request(null) with { Reference = "INV-1" }, CancellationToken.None);
        found.Select(o => o.Id).ShouldBe([a.Id]);
        (await t.Transfers.FindSameRequestAsync(TransferKind.Payout, Request(null) with { Reference = "INV-1" }, CancellationToken.None)).ShouldBeEmpty();
        (await t.Transfers.ListAsync(includeFinished: false, CancellationToken.None)).Count.ShouldBe(3);
    }

    [Fact]
    public void Database_NewFileOwnerOnly_WiderExistingFileNarrowed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var t = new TestConnector())
        {
            _ = t.Transfers;
            File.GetUnixFileMode(t.DatabasePath).ShouldBe(OwnerOnly);
        }

        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "old.db");
        File.WriteAllBytes(db, []);
        File.SetUnixFileMode(db, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var old = new TestConnector(databasePath: db);
        _ = old.Transfers;
        File.GetUnixFileMode(db).ShouldBe(OwnerOnly);
    }

    private static (FakeBank Bank, Settlement.Testing.TestClock Time, string Db) Shared()
    {
        var time = TestConnector.NewClock();
        return (new FakeBank(time), time, Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db"));
    }

    private static TransferRequest Request(Guid? id) => new() { OperationId = id, Bank = "acme", AmountMinor = 500, Counterparty = Customer };

    private sealed class SimulatedCrash : Exception;

    private sealed class CrashAt(TransferCheckpoint target) : ITransferCheckpointObserver
    {
        public void OnCheckpoint(Guid operationId, TransferCheckpoint checkpoint)
        {
            if (checkpoint == target)
            {
                throw new SimulatedCrash();
            }
        }
    }
}
