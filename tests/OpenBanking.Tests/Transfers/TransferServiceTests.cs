using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

public sealed class TransferServiceTests
{
    private static readonly AccountIdentification Merchant = new("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant");

    [Theory]
    [InlineData(ObieVersion.V3_1_11, "AcceptedSettlementCompleted")]
    [InlineData(ObieVersion.V4_0, "ACSC")]
    public async Task Payout_HeadlessThenSettled_CompletedWithAuditTrail(ObieVersion version, string settled)
    {
        using var t = new TestConnector(version);
        var op = await t.Transfers.StartPayoutAsync(new TransferRequest { Bank = "acme", AmountMinor = 2500, Counterparty = Merchant }, CancellationToken.None);
        op.State.ShouldBe(TransferState.PaymentSubmitted);
        op.PaymentId.ShouldNotBeNull();
        op.Instruction.Debtor!.Identification.ShouldBe("04000412345678");
        op.Instruction.Creditor.ShouldBe(Merchant);

        t.Bank.SetPaymentStatus(op.PaymentId, settled);
        var done = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        done.State.ShouldBe(TransferState.Completed);
        done.PaymentStatus.ShouldBe(settled);
        t.Bank.PaymentsCreated.ShouldBe(1);

        var history = await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);
        history.Select(h => h.Event).ShouldBe(["created", "consent-created", "authorisation-requested", "authorisation-code-received", "authorised", "payment-created", "status-poll"]);
        history.Select(h => h.To).ShouldBe([TransferState.Created, TransferState.AwaitingAuthorisation, TransferState.AwaitingAuthorisation, TransferState.AwaitingAuthorisation,
            TransferState.SubmittingPayment, TransferState.PaymentSubmitted, TransferState.Completed]);
    }

    [Fact]
    public async Task Start_SameOperationIdTwice_OneConsentOnePayment()
    {
        using var t = new TestConnector();
        var request = new TransferRequest { OperationId = Guid.NewGuid(), Bank = "acme", AmountMinor = 1000 };
        var first = await t.Transfers.StartTopupAsync(request, CancellationToken.None);
        var second = await t.Transfers.StartTopupAsync(request, CancellationToken.None);
        second.Id.ShouldBe(first.Id);
        second.PaymentId.ShouldBe(first.PaymentId);
        t.Bank.Consents.Count.ShouldBe(1);
        t.Bank.PaymentsCreated.ShouldBe(1);
        await Should.ThrowAsync<InvalidOperationException>(() => t.Transfers.StartTopupAsync(request with { AmountMinor = 1001 }, CancellationToken.None));
    }

    [Fact]
    public async Task Topup_PaymentAnswerDroppedOnEveryAttempt_StaysSubmittingThenResendsSameKeyOnePayment()
    {
        using var t = new TestConnector(configure: o => o.MaxRetries = 1);
        t.Bank.AfterCommit = (r, response) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)
            ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "aborted")
            : response;
        var request = new TransferRequest { OperationId = Guid.NewGuid(), Bank = "acme", AmountMinor = 700 };
        var ex = await Should.ThrowAsync<BankTransportException>(() => t.Transfers.StartTopupAsync(request, CancellationToken.None));
        ex.MayHaveBeenProcessed.ShouldBeTrue();
        var op = (await t.Transfers.GetAsync(request.OperationId!.Value, CancellationToken.None))!;
        op.State.ShouldBe(TransferState.SubmittingPayment);
        op.LastError.ShouldNotBeNull();
        t.Bank.PaymentsCreated.ShouldBe(1);

        t.Bank.AfterCommit = null;
        var resumed = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        resumed.PaymentId.ShouldBe(t.Bank.Payments.Keys.Single());
        t.Bank.PaymentsCreated.ShouldBe(1);
        t.Bank.Requests.Where(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal))
            .Select(r => r.Headers["x-idempotency-key"]).Distinct().ShouldBe([op.PaymentIdempotencyKey]);
    }

    [Fact]
    public async Task Restart_AfterAnswerLost_RepostsSameKeyAndBodyAndRecoversThePayment()
    {
        var time = TestConnector.NewClock();
        var bank = new FakeBank(time);
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db");
        Guid id;
        using (var before = new TestConnector(configure: o => o.MaxRetries = 0, databasePath: db, bank: bank, time: time))
        {
            bank.AfterCommit = (r, response) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)
                ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "aborted")
                : response;
            id = Guid.NewGuid();
            await Should.ThrowAsync<BankTransportException>(() => before.Transfers.StartTopupAsync(new TransferRequest { OperationId = id, Bank = "acme", AmountMinor = 900 }, CancellationToken.None));
        }

        bank.AfterCommit = null;
        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var resumed = (await after.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.Id.ShouldBe(id);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        resumed.PaymentId.ShouldBe(bank.Payments.Keys.Single());
        bank.PaymentsCreated.ShouldBe(1);
        var posts = bank.Requests.Where(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)).ToList();
        posts.Count.ShouldBe(2);
        posts.Select(r => r.Headers["x-idempotency-key"]).Distinct().ShouldBe([resumed.PaymentIdempotencyKey]);
        posts.Select(r => Convert.ToHexString(r.Body)).Distinct().Count().ShouldBe(1);
        bank.Requests.Count(r => r.Uri.AbsolutePath == "/as/authorize").ShouldBe(1);
    }

    [Fact]
    public async Task Restart_AfterAnswerLostAndTokenExpired_LooksUpConsentAndLinksPaymentFromNotification()
    {
        var time = TestConnector.NewClock();
        var bank = new FakeBank(time);
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db");
        Guid id;
        using (var before = new TestConnector(configure: o => o.MaxRetries = 0, databasePath: db, bank: bank, time: time))
        {
            bank.AfterCommit = (r, response) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)
                ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "aborted")
                : response;
            var request = new TransferRequest { Bank = "acme", AmountMinor = 900 };
            await Should.ThrowAsync<BankTransportException>(() => before.Transfers.StartTopupAsync(request, CancellationToken.None));
            id = (await before.Transfers.ResumeAsync(CancellationToken.None)).Single().Id;
        }

        bank.AfterCommit = null;
        time.Advance(TimeSpan.FromHours(2)); // the saved consent token (1 h) has expired: the POST cannot be repeated
        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var resumed = (await after.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.Id.ShouldBe(id);
        resumed.State.ShouldBe(TransferState.SubmittingPayment);
        resumed.ConsentStatus.ShouldBe("Consumed");
        bank.PaymentsCreated.ShouldBe(1);

        var paymentId = bank.Payments.Keys.Single();
        bank.SetPaymentStatus(paymentId, "AcceptedSettlementInProcess");
        (await after.Receiver.ReceiveAsync("acme", bank.Notification(paymentId, TestConnector.ClientId), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Processed);
        var linked = (await after.Transfers.GetAsync(id, CancellationToken.None))!;
        linked.PaymentId.ShouldBe(paymentId);
        linked.State.ShouldBe(TransferState.PaymentSubmitted);
        linked.PaymentStatus.ShouldBe("AcceptedSettlementInProcess");
        bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task Restart_BeforeAuthorisation_ResumesAndCompletes()
    {
        var time = TestConnector.NewClock();
        var bank = new FakeBank(time);
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db");
        Guid id;
        using (var before = new TestConnector(databasePath: db, bank: bank, time: time))
        {
            bank.Faults.Enqueue(r => r.Uri.AbsolutePath == "/as/authorize" ? throw new HttpRequestException(HttpRequestError.ConnectionError, "down") : null);
            id = Guid.NewGuid();
            await Should.ThrowAsync<BankTransportException>(() => before.Transfers.StartTopupAsync(new TransferRequest { OperationId = id, Bank = "acme", AmountMinor = 300 }, CancellationToken.None));
            (await before.Transfers.GetAsync(id, CancellationToken.None))!.State.ShouldBe(TransferState.AwaitingAuthorisation);
        }

        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        var op2 = (await after.Transfers.ResumeAsync(CancellationToken.None)).Single();
        op2.State.ShouldBe(TransferState.PaymentSubmitted);
        bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task Topup_CustomerDeclines_RejectedNothingPaid()
    {
        using var t = new TestConnector();
        t.Bank.Decision = "decline";
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.Rejected);
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task Topup_ConsentAmountMismatch_FailedNothingPaid()
    {
        using var t = new TestConnector();
        t.Bank.ResponseBodyRewrite = body => body.Replace("\"1.00\"", "\"100.00\"", StringComparison.Ordinal);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.Failed);
        op.LastError!.ShouldContain("AmountMismatch");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task Poll_PaymentAmountChangedByBank_TypedErrorStateUnchanged()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[op.PaymentId!]["Data"]!["Initiation"]!["InstructedAmount"]!["Amount"] = "1.01";
            t.Bank.Payments[op.PaymentId!]["Data"]!["Status"] = "AcceptedSettlementCompleted";
        }

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.AmountMismatch);
        var after = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        after.State.ShouldBe(TransferState.PaymentSubmitted);
        after.PaymentStatus.ShouldBe("Pending");
    }

    [Fact]
    public async Task Status_ImpossibleAndStaleAndUnknown_RefusedIgnoredKept()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var op = await t.Transfers.StartPayoutAsync(new TransferRequest { Bank = "acme", AmountMinor = 100, Counterparty = Merchant }, CancellationToken.None);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "ACSP", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Applied);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "RCVD", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Stale);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "ACSP", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Duplicate);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "NEWC", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Unrecognised);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "ACSC", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Applied);
        (await t.Transfers.ApplyPaymentStatusAsync(op.Id, "RJCT", "test", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Impossible);

        var final = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        final.State.ShouldBe(TransferState.Completed);
        final.PaymentStatus.ShouldBe("ACSC");
        final.UnrecognisedStatus.ShouldBe("NEWC");
        var history = await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);
        var refused = history.Single(h => !h.Accepted);
        refused.Event.ShouldBe("status-refused-test");
        refused.From.ShouldBe(TransferState.Completed);
        t.Logs.Lines.ShouldContain(l => l.Contains("impossible payment status change ACSC -> RJCT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notification_DuplicateAndForgedAndOutOfOrder_Harmless()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        t.Bank.SetPaymentStatus(op.PaymentId!, "ACSC");
        var set = t.Bank.Notification(op.PaymentId!, TestConnector.ClientId, jti: "jti-1");
        (await t.Receiver.ReceiveAsync("acme", set, CancellationToken.None)).ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Processed);
        (await t.Receiver.ReceiveAsync("acme", set, CancellationToken.None)).ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Duplicate);

        // An older notification delivered late: the bank is re-read, nothing moves backwards.
        (await t.Receiver.ReceiveAsync("acme", t.Bank.Notification(op.PaymentId!, TestConnector.ClientId, jti: "jti-0"), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Processed);

        using var forger = Settlement.OpenBanking.Signing.SigningKey.Generate(t.Bank.Key.KeyId);
        (await t.Receiver.ReceiveAsync("acme", t.Bank.Notification(op.PaymentId!, TestConnector.ClientId, signWith: forger), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Rejected);
        (await t.Receiver.ReceiveAsync("acme", t.Bank.Notification(op.PaymentId!, "someone-else"), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Rejected);
        (await t.Receiver.ReceiveAsync("acme", "garbage", CancellationToken.None)).ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Rejected);

        var final = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        final.State.ShouldBe(TransferState.Completed);
        final.PaymentStatus.ShouldBe("ACSC");
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).Count(h => h.Event == "status-notification").ShouldBe(1);
    }

    [Fact]
    public async Task Audit_Transitions_AppendOnly()
    {
        using var t = new TestConnector();
        await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + t.DatabasePath);
        connection.Open();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE transfer_transitions SET event = 'x'";
        Should.Throw<Microsoft.Data.Sqlite.SqliteException>(() => update.ExecuteNonQuery()).Message.ShouldContain("append-only");
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM transfer_transitions";
        Should.Throw<Microsoft.Data.Sqlite.SqliteException>(() => delete.ExecuteNonQuery());
    }

    [Fact]
    public async Task Payout_WithoutCounterparty_Refused()
    {
        using var t = new TestConnector();
        await Should.ThrowAsync<System.ComponentModel.DataAnnotations.ValidationException>(
            () => t.Transfers.StartPayoutAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None));
        var zero = await Should.ThrowAsync<System.ComponentModel.DataAnnotations.ValidationException>(
            () => t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 0 }, CancellationToken.None));
        zero.Message.ShouldBe("The field AmountMinor must be between 1 and 9223372036854775807.");
        t.Bank.Consents.Count.ShouldBe(0);
    }

    [Fact]
    public async Task NonHeadlessBank_CompleteAuthorizationFromRedirect_PaymentSubmitted()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);
        op.AuthorizationUrl.ShouldNotBeNull();

        // The customer's browser follows the URL; the bank redirects back with code and state.
        using var http = new HttpClient(t.Bank, disposeHandler: false);
        using var redirect = await http.GetAsync(op.AuthorizationUrl);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        query["state"].ShouldBe(op.AuthorizationState);

        await Should.ThrowAsync<KeyNotFoundException>(() => t.Transfers.CompleteAuthorizationAsync("forged", query["code"], null, CancellationToken.None));
        var done = await t.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);
        done.State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
    }
}
