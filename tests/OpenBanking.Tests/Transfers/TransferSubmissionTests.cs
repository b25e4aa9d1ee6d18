using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// SubmittingPayment: the POST only with a consent token that has not expired; a refused POST or a
/// lost token ends in a state that says whether anything was paid; the consent status each protocol
/// step implies per OBIE version; consent and payment refusals before any payment.
/// </summary>
public sealed class TransferSubmissionTests
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task SavedToken_ExpiresExactlyNow_NotPostedConsentUnusedFailed()
    {
        var (bank, time, db) = Shared();
        var id = await CrashWithTokenSaved(bank, time, db);
        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var saved = (await after.Transfers.GetAsync(id, CancellationToken.None))!;
        saved.ConsentToken.ShouldNotBeNull();
        time.SetUtcNow(saved.ConsentToken.ExpiresOn);

        var op = await after.Transfers.AdvanceAsync(id, CancellationToken.None);

        Posts(bank).ShouldBeEmpty();
        op.State.ShouldBe(TransferState.Failed);
        op.ConsentStatus.ShouldBe("Authorised");
        op.ConsentToken.ShouldBeNull();
        op.LastError.ShouldBe("the consent token was lost or expired before the payment was sent; the consent is unused, so nothing was paid: start a new transfer (it gets a new consent)");
        var last = (await after.Transfers.GetHistoryAsync(id, CancellationToken.None))[^1];
        last.Event.ShouldBe("authorisation-lost");
        last.Detail.ShouldBe("Authorised");
        bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task SavedToken_JustBeforeExpiry_PostedWithSavedKey()
    {
        var (bank, time, db) = Shared();
        var id = await CrashWithTokenSaved(bank, time, db);
        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var saved = (await after.Transfers.GetAsync(id, CancellationToken.None))!;
        time.SetUtcNow(saved.ConsentToken!.ExpiresOn - TimeSpan.FromTicks(1));

        var op = await after.Transfers.AdvanceAsync(id, CancellationToken.None);

        op.State.ShouldBe(TransferState.PaymentSubmitted);
        Posts(bank).Select(r => r.Headers["x-idempotency-key"]).ShouldBe([saved.PaymentIdempotencyKey]);
        op.ConsentToken.ShouldBeNull();
        bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task TokenExpired_ConsentRejectedAtBank_RejectedNotPosted()
    {
        var (bank, time, db) = Shared();
        var id = await CrashWithTokenSaved(bank, time, db);
        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        time.Advance(TimeSpan.FromHours(2));
        foreach (var consent in bank.Consents.Values)
        {
            consent["Data"]!["Status"] = "Rejected";
        }

        var op = await after.Transfers.AdvanceAsync(id, CancellationToken.None);

        op.State.ShouldBe(TransferState.Rejected);
        op.ConsentStatus.ShouldBe("Rejected");
        op.ConsentToken.ShouldBeNull();
        (await after.Transfers.GetHistoryAsync(id, CancellationToken.None))[^1].Event.ShouldBe("consent-rejected");
        Posts(bank).ShouldBeEmpty();
    }

    [Fact]
    public async Task TokenExpired_ConsentConsumedAlreadyRecorded_NoFurtherTransition()
    {
        var (bank, time, db) = Shared();
        var id = await CrashWithTokenSaved(bank, time, db);
        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        time.Advance(TimeSpan.FromHours(2));
        foreach (var consent in bank.Consents.Values)
        {
            consent["Data"]!["Status"] = "Consumed";
        }

        var first = await after.Transfers.AdvanceAsync(id, CancellationToken.None);
        first.State.ShouldBe(TransferState.SubmittingPayment);
        first.ConsentStatus.ShouldBe("Consumed");
        first.ConsentToken.ShouldBeNull();
        var history = await after.Transfers.GetHistoryAsync(id, CancellationToken.None);
        history[^1].Event.ShouldBe("payment-exists");

        // Nothing new to record: the second look at the consent writes nothing.
        var second = await after.Transfers.AdvanceAsync(id, CancellationToken.None);
        second.ShouldBe(first);
        (await after.Transfers.GetHistoryAsync(id, CancellationToken.None)).ShouldBe(history);
        Posts(bank).ShouldBeEmpty();
    }

    [Fact]
    public async Task PaymentPostRefused_ConsentUnused_FailedTokenDropped()
    {
        using var t = new TestConnector();
        t.Bank.Faults.Enqueue(r => IsPaymentPost(r) ? t.Bank.Error(400, "UK.OBIE.Field.Invalid") : null);

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.ConsentStatus.ShouldBe("Authorised");
        op.ConsentToken.ShouldBeNull();
        op.LastError.ShouldNotBeNull();
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("payment-refused");
        last.Detail.ShouldBe(nameof(BankRequestRejectedException));
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task PaymentPostRefused_ConsentConsumed_NeverFailedErrorRecordedTokenKept()
    {
        using var t = new TestConnector();
        t.Bank.Faults.Enqueue(r =>
        {
            if (!IsPaymentPost(r))
            {
                return null;
            }

            foreach (var consent in t.Bank.Consents.Values)
            {
                consent["Data"]!["Status"] = "Consumed";
            }

            return t.Bank.Error(400, "UK.OBIE.Field.Invalid");
        });

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.SubmittingPayment);
        op.LastError.ShouldNotBeNull();
        op.ConsentToken.ShouldNotBeNull();
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Event.ShouldBe("error");
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11, "Authorised", "Consumed")]
    [InlineData(ObieVersion.V4_0, "AUTH", "COND")]
    public async Task ConsentStatus_AfterTokenAndAfterPayment_TheVersionsCodes(ObieVersion version, string authorised, string consumed)
    {
        var (bank, time, db) = Shared();
        var id = Guid.NewGuid();
        using (var before = new TestConnector(version, databasePath: db, bank: bank, time: time, checkpoints: new CrashAt(TransferCheckpoint.TokenSaved)))
        {
            await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.StartTopupAsync(Request() with { OperationId = id }, CancellationToken.None));
            (await before.Transfers.GetAsync(id, CancellationToken.None))!.ConsentStatus.ShouldBe(authorised);
        }

        using var after = new TestConnector(version, databasePath: db, bank: bank, time: time);
        (await after.Transfers.AdvanceAsync(id, CancellationToken.None)).ConsentStatus.ShouldBe(consumed);
    }

    [Fact]
    public async Task ConsentPostRefused_FailedBeforeAnyConsent()
    {
        using var t = new TestConnector();
        t.Bank.Faults.Enqueue(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal)
            ? t.Bank.Error(400, "UK.OBIE.Field.Invalid")
            : null);

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.ConsentId.ShouldBeNull();
        op.LastError.ShouldNotBeNull();
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("consent-refused");
        last.Detail.ShouldBe(nameof(BankRequestRejectedException));
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/authorize");
    }

    [Fact]
    public async Task ConsentCreatedRejected_RejectedNoAuthorisation()
    {
        using var t = new TestConnector();
        t.Bank.ResponseBodyRewrite = body => body.Replace("\"AwaitingAuthorisation\"", "\"Rejected\"", StringComparison.Ordinal);

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Rejected);
        op.ConsentId.ShouldNotBeNull();
        op.ConsentStatus.ShouldBe("Rejected");
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Event.ShouldBe("consent-rejected");
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/authorize");
    }

    [Fact]
    public async Task Poll_PaymentOfAnotherConsent_ResourceMismatchStateUnchanged()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[op.PaymentId!]["Data"]!["ConsentId"] = "consent-of-someone-else";
            t.Bank.Payments[op.PaymentId!]["Data"]!["Status"] = "AcceptedSettlementCompleted";
        }

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
        var after = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        after.State.ShouldBe(TransferState.PaymentSubmitted);
        after.PaymentStatus.ShouldBe(op.PaymentStatus);
    }

    [Fact]
    public async Task UnrecognisedStatus_Twice_OneTransitionStateUnchanged()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "NEWC", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Unrecognised);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "NEWC", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Unrecognised);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "NEWD", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Unrecognised);

        var stored = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        stored.State.ShouldBe(op.State);
        stored.PaymentStatus.ShouldBe(op.PaymentStatus);
        stored.UnrecognisedStatus.ShouldBe("NEWD");
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).Where(h => h.Event == "status-unrecognised-test").Select(h => h.Detail)
            .ShouldBe(["NEWC", "NEWD"]);
    }

    [Fact]
    public async Task ImpossibleStatus_Refused_RowUnchangedRefusalAudited()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "ACSC", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Applied);
        var completed = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;

        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "RJCT", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Impossible);

        (await t.Transfers.GetAsync(op.Id, CancellationToken.None)).ShouldBe(completed);
        var refused = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        refused.Accepted.ShouldBeFalse();
        refused.From.ShouldBe(TransferState.Completed);
        refused.To.ShouldBe(TransferState.Rejected);
        refused.Detail.ShouldBe("ACSC -> RJCT is not a possible payment status change");
    }

    [Fact]
    public async Task StartAgain_FinishedTransfer_ReturnedWithoutCallingTheBank()
    {
        using var t = new TestConnector();
        t.Bank.Decision = "decline";
        var request = Request() with { OperationId = Guid.NewGuid() };
        var first = await t.Transfers.StartTopupAsync(request, CancellationToken.None);
        first.State.ShouldBe(TransferState.Rejected);
        var requests = t.Bank.Requests.Count;

        var again = await t.Transfers.StartTopupAsync(request, CancellationToken.None);

        again.ShouldBe(first);
        t.Bank.Requests.Count.ShouldBe(requests);
        t.Logs.Lines.ShouldContain(l => l.Contains("started again with the same operation id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TransientFailure_SameErrorTwice_OneErrorTransitionStateUnchanged()
    {
        using var t = new TestConnector(configure: o => o.MaxRetries = 0);
        var id = Guid.NewGuid();
        Func<RecordedRequest, HttpResponseMessage?> down = r => r.Uri.AbsolutePath == "/as/authorize" ? throw new HttpRequestException(HttpRequestError.ConnectionError, "down") : null;
        t.Bank.Faults.Enqueue(down);
        await Should.ThrowAsync<BankTransportException>(() => t.Transfers.StartTopupAsync(Request() with { OperationId = id }, CancellationToken.None));
        t.Bank.Faults.Enqueue(down);
        await Should.ThrowAsync<BankTransportException>(() => t.Transfers.AdvanceAsync(id, CancellationToken.None));

        var stored = (await t.Transfers.GetAsync(id, CancellationToken.None))!;
        stored.State.ShouldBe(TransferState.AwaitingAuthorisation);
        stored.LastError.ShouldNotBeNull();
        (await t.Transfers.GetHistoryAsync(id, CancellationToken.None)).Count(h => h.Event == "error").ShouldBe(1);
    }

    [Fact]
    public async Task Resume_OneTransferBusyOneFailing_OthersStillAdvanced()
    {
        using var t = new TestConnector(configure: o => o.MaxRetries = 0);
        var busy = (await t.Transfers.CreateAsync(TransferKind.Topup, Request() with { OperationId = Guid.NewGuid() }, CancellationToken.None)).Operation;
        t.Time.Advance(TimeSpan.FromSeconds(1));
        var failing = (await t.Transfers.CreateAsync(TransferKind.Topup, Request() with { OperationId = Guid.NewGuid(), AmountMinor = 501 }, CancellationToken.None)).Operation;
        t.Time.Advance(TimeSpan.FromSeconds(1));
        var fine = (await t.Transfers.CreateAsync(TransferKind.Topup, Request() with { OperationId = Guid.NewGuid(), AmountMinor = 502 }, CancellationToken.None)).Operation;
        StoredLease.Hold(t, busy.Id, "other-host/4242/1/abcd", t.Time.GetUtcNow().AddMinutes(5));
        t.Bank.Faults.Enqueue(r => r.Method == "POST" && r.BodyText.Contains("\"5.01\"", StringComparison.Ordinal)
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "down")
            : null);

        var resumed = await t.Transfers.ResumeAsync(CancellationToken.None);

        resumed.Select(o => o.Id).ShouldBe([busy.Id, failing.Id, fine.Id]);
        resumed[0].ShouldBe(busy);
        resumed[1].State.ShouldBe(TransferState.Created);
        resumed[1].LastError.ShouldNotBeNull();
        resumed[2].State.ShouldBe(TransferState.PaymentSubmitted);
        t.Logs.Lines.ShouldContain(l => l.Contains("being advanced by other-host pid 4242", StringComparison.Ordinal));
        t.Logs.Lines.ShouldContain(l => l.Contains("advance failed, will retry: BankTransportException", StringComparison.Ordinal));
    }

    private static TransferRequest Request() => new() { Bank = "acme", AmountMinor = 500, Counterparty = Customer };

    private static (FakeBank Bank, Settlement.Testing.TestClock Time, string Db) Shared()
    {
        var time = TestConnector.NewClock();
        return (new FakeBank(time), time, Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db"));
    }

    /// <summary>A run that stops in SubmittingPayment with the consent token saved, before the payment POST.</summary>
    private static async Task<Guid> CrashWithTokenSaved(FakeBank bank, Settlement.Testing.TestClock time, string db)
    {
        var id = Guid.NewGuid();
        using var before = new TestConnector(databasePath: db, bank: bank, time: time, checkpoints: new CrashAt(TransferCheckpoint.TokenSaved));
        await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.StartTopupAsync(Request() with { OperationId = id }, CancellationToken.None));
        (await before.Transfers.GetAsync(id, CancellationToken.None))!.State.ShouldBe(TransferState.SubmittingPayment);
        return id;
    }

    private static bool IsPaymentPost(RecordedRequest r) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal);

    private static List<RecordedRequest> Posts(FakeBank bank) => bank.Requests.Where(IsPaymentPost).ToList();

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
