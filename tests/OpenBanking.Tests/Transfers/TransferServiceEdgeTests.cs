using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// Edges of <see cref="TransferService"/> that a mutation run left open: boundaries of the consent's
/// deadlines, the refund account reported late, a concurrent writer, the crash checkpoints in order,
/// refusals of bad arguments with their exact texts.
/// </summary>
public sealed class TransferServiceEdgeTests
{
    private static readonly AccountIdentification Merchant = new("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant");
    private static readonly AccountIdentification Payer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task List_IncludeFinished_AllOldestFirst_OtherwiseOnlyUnfinished()
    {
        using var t = new TestConnector();
        t.Bank.Decision = "decline";
        var finished = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        finished.State.ShouldBe(TransferState.Rejected);
        t.Time.Advance(TimeSpan.FromSeconds(1));
        var open = (await t.Transfers.CreateAsync(TransferKind.Topup, Request() with { AmountMinor = 501 }, CancellationToken.None)).Operation;

        (await t.Transfers.ListAsync(includeFinished: true, CancellationToken.None)).Select(o => o.Id).ShouldBe([finished.Id, open.Id]);
        (await t.Transfers.ListAsync(includeFinished: false, CancellationToken.None)).Select(o => o.Id).ShouldBe([open.Id]);
    }

    [Fact]
    public async Task StartAgain_CreatedButNotAdvanced_AdvancedNow()
    {
        using var t = new TestConnector();
        var request = Request() with { OperationId = Guid.NewGuid() };
        (await t.Transfers.CreateAsync(TransferKind.Topup, request, CancellationToken.None)).Operation.State.ShouldBe(TransferState.Created);

        var started = await t.Transfers.StartTopupAsync(request, CancellationToken.None);

        started.State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task StartAgain_OtherParameters_RefusedWithTheMessage()
    {
        using var t = new TestConnector();
        var request = Request() with { OperationId = Guid.NewGuid() };
        await t.Transfers.CreateAsync(TransferKind.Topup, request, CancellationToken.None);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => t.Transfers.StartTopupAsync(request with { AmountMinor = 999 }, CancellationToken.None));

        ex.Message.ShouldBe($"Transfer {request.OperationId:N} already exists with different parameters.");
        t.Bank.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Payout_WithoutRequestRisk_PayoutRiskFromOptionsNotTheTopups()
    {
        using var t = new TestConnector();
        var op = (await t.Transfers.CreateAsync(TransferKind.Payout, Request() with { Counterparty = Merchant }, CancellationToken.None)).Operation;

        op.Instruction.Risk!.PaymentContextCode.ShouldBe("TransferToThirdParty");
        (await t.Transfers.CreateAsync(TransferKind.Topup, Request(), CancellationToken.None)).Operation.Instruction.Risk!.PaymentContextCode
            .ShouldBe("BillingGoodsAndServicesInAdvance");
    }

    [Fact]
    public async Task BadRequests_RefusedWithTheirReasons_NothingStored()
    {
        using var t = new TestConnector();

        Should.Throw<ArgumentNullException>(() => t.Transfers.Refusal(TransferKind.Topup, null!)).ParamName.ShouldBe("request");
        Should.Throw<ValidationException>(() => t.Transfers.Refusal(TransferKind.Topup, Request() with { AmountMinor = 0 }));
        await Should.ThrowAsync<ValidationException>(() => t.Transfers.FindSameRequestAsync(TransferKind.Topup, Request() with { Currency = "gbp" }, CancellationToken.None));
        var payout = await Should.ThrowAsync<ValidationException>(() => t.Transfers.CreateAsync(TransferKind.Payout, Request(), CancellationToken.None));
        payout.Message.ShouldBe("A payout needs the merchant's account (Counterparty).");

        (await t.Transfers.ListAsync(includeFinished: true, CancellationToken.None)).ShouldBeEmpty();
        t.Bank.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task UnknownTransferOrState_RefusedWithTheMessage()
    {
        using var t = new TestConnector();
        var id = Guid.NewGuid();

        var advance = await Should.ThrowAsync<KeyNotFoundException>(() => t.Transfers.AdvanceAsync(id, CancellationToken.None));
        advance.Message.ShouldBe($"Transfer {id:N} does not exist.");
        var leased = Guid.NewGuid();
        StoredLease.Hold(t, leased, "other-host/4242/1/abcd", t.Time.GetUtcNow().AddMinutes(5));
        (await Should.ThrowAsync<KeyNotFoundException>(() => t.Transfers.TryAdvanceAsync(leased, CancellationToken.None))).Message.ShouldBe($"Transfer {leased:N} does not exist.");
        Should.Throw<ArgumentException>(() => t.Transfers.CompleteAuthorizationAsync("", "code", null, CancellationToken.None)).ParamName.ShouldBe("state");
        var state = await Should.ThrowAsync<KeyNotFoundException>(() => t.Transfers.CompleteAuthorizationAsync("no-such-state", "code", null, CancellationToken.None));
        state.Message.ShouldBe("No transfer waits for this authorisation state.");
        t.Bank.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Poll_Settled_NoFurtherPollScheduled()
    {
        using var t = new TestConnector(configure: o =>
        {
            o.StatusPollInitialInterval = TimeSpan.FromSeconds(1);
            o.StatusPollMaxInterval = TimeSpan.FromSeconds(5);
        });
        var op = await t.Transfers.StartPayoutAsync(Request() with { Counterparty = Merchant }, CancellationToken.None);
        await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        t.Transfers.NextStatusPollDue(op.Id).ShouldBe(t.Time.GetUtcNow() + TimeSpan.FromSeconds(1));

        t.Bank.SetPaymentStatus(op.PaymentId!, "AcceptedSettlementCompleted");
        t.Time.Advance(TimeSpan.FromSeconds(1));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Completed);

        t.Transfers.NextStatusPollDue(op.Id).ShouldBeNull();
    }

    [Fact]
    public async Task Poll_RefundAccountReportedAfterCreation_KeptOnceMasked()
    {
        using var t = new TestConnector(configure: o => o.ReadRefundAccount = false);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        op.RefundAccount.ShouldBeNull();
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[op.PaymentId!]["Data"]!["Refund"] = new JsonObject
            {
                ["Account"] = new JsonObject { ["SchemeName"] = Payer.SchemeName, ["Identification"] = Payer.Identification, ["Name"] = Payer.Name },
            };
        }

        var polled = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        polled.RefundAccount.ShouldBe(Payer);
        var history = await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);
        history.Where(h => h.Event == "refund-account").Select(h => h.Detail).ShouldBe([Payer.Masked]);

        // Another account reported later does not replace the first.
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[op.PaymentId!]["Data"]!["Refund"]!["Account"]!["Identification"] = "11111122222222";
        }

        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).RefundAccount.ShouldBe(Payer);
    }

    [Fact]
    public async Task PaymentCreatedWithUnrecognisedStatus_RefundAccountStillKept()
    {
        using var t = new TestConnector();
        t.Bank.AfterCommit = (r, response) =>
        {
            if (!IsPaymentPost(r))
            {
                return response;
            }

            lock (t.Bank.Payments)
            {
                var payment = t.Bank.Payments.Values.Single();
                payment["Data"]!["Status"] = "WXYZ";
                return t.Bank.Json(201, payment.DeepClone().AsObject());
            }
        };

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.PaymentSubmitted);
        op.PaymentStatus.ShouldBeNull();
        op.UnrecognisedStatus.ShouldBe("WXYZ");
        op.RefundAccount.ShouldBe(Payer);
    }

    [Fact]
    public async Task ConsentAuthorisationDeadline_NotExpiredUntilOneTickPastIt()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var deadline = t.Time.GetUtcNow().AddMinutes(5);
        t.Bank.ConsentData = d => d["Authorisation"] = new JsonObject { ["AuthorisationType"] = "Single", ["CompletionDateTime"] = deadline.ToString("O") };
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);

        t.Time.SetUtcNow(deadline);
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.AwaitingAuthorisation);

        t.Time.SetUtcNow(deadline.AddTicks(1));
        var expired = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        expired.State.ShouldBe(TransferState.Expired);
        expired.LastError.ShouldBe($"not authorised by the consent's Authorisation.CompletionDateTime {deadline:O}; the consent is not used any more, nothing was paid: start a new transfer");
    }

    [Fact]
    public async Task Redirect_ArrivesPastTheAuthorisationTimeout_ExpiredNoTokenRequested()
    {
        using var t = new TestConnector(configure: o =>
        {
            o.Quirks.HeadlessAuthorization = false;
            o.AuthorisationTimeout = TimeSpan.FromMinutes(10);
        });
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        using var http = new HttpClient(t.Bank, disposeHandler: false);
        using var redirect = await http.GetAsync(op.AuthorizationUrl);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        t.Time.Advance(TimeSpan.FromMinutes(10));
        var sent = t.Bank.Requests.Count;

        var done = await t.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        done.State.ShouldBe(TransferState.Expired);
        done.AuthorizationCode.ShouldBeNull();
        t.Bank.Requests.Count.ShouldBe(sent);
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Event.ShouldBe("authorisation-expired");
    }

    [Fact]
    public async Task AwaitingAuthorisation_Expired_NothingElseAskedOfTheBankInThatAdvance()
    {
        using var t = new TestConnector(configure: o =>
        {
            o.Quirks.HeadlessAuthorization = false;
            o.AuthorisationTimeout = TimeSpan.FromMinutes(10);
        });
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromMinutes(10));
        var sent = t.Bank.Requests.Count;

        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Expired);

        t.Bank.Requests.Count.ShouldBe(sent);
    }

    [Fact]
    public async Task ConsentCutOff_PaymentSentAtExactlyTheCutOff()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var cutOff = t.Time.GetUtcNow().AddMinutes(2);
        t.Bank.ConsentData = d => d["CutOffDateTime"] = cutOff.ToString("O");
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        using var http = new HttpClient(t.Bank, disposeHandler: false);
        using var redirect = await http.GetAsync(op.AuthorizationUrl);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        t.Time.SetUtcNow(cutOff);

        var done = await t.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        done.State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task TokenLostFromAnOlderDatabase_ConsentConsumed_PaymentExistsRecorded()
    {
        var time = TestConnector.NewClock();
        var bank = new FakeBank(time);
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db");
        var id = Guid.NewGuid();
        using (var before = new TestConnector(databasePath: db, bank: bank, time: time, checkpoints: new CrashAt(TransferCheckpoint.TokenSaved)))
        {
            await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.StartTopupAsync(Request() with { OperationId = id }, CancellationToken.None));
        }

        // A database written before tokens were saved: no token, the consent status as authorised.
        Sql(db, "UPDATE transfer_operations SET consent_token = NULL, consent_token_expires = NULL");
        foreach (var consent in bank.Consents.Values)
        {
            consent["Data"]!["Status"] = "Consumed";
        }

        using var after = new TestConnector(databasePath: db, bank: bank, time: time);
        (await after.Transfers.GetAsync(id, CancellationToken.None))!.ConsentStatus.ShouldBe("Authorised");

        var op = await after.Transfers.AdvanceAsync(id, CancellationToken.None);

        op.State.ShouldBe(TransferState.SubmittingPayment);
        op.ConsentStatus.ShouldBe("Consumed");
        op.LastError.ShouldBe("payment created at the bank, but the consent token expired before its id was read; waiting for its id from an event notification");
        var last = (await after.Transfers.GetHistoryAsync(id, CancellationToken.None))[^1];
        (last.Event, last.Detail).ShouldBe(("payment-exists", "Consumed"));
        bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task Poll_PaymentAmountChanged_MessageNamesBothAmounts()
    {
        using var t = new TestConnector(configure: o => o.MaxRetries = 0);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[op.PaymentId!]["Data"]!["Initiation"]!["InstructedAmount"]!["Amount"] = "5.01";
        }

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.AmountMismatch);
        ex.Message.ShouldContain($"payment amount {new Money(501, "GBP")} differs from the instructed {new Money(500, "GBP")}");
    }

    [Fact]
    public async Task ConcurrentWriterDuringAPoll_ConcurrencyExceptionNamesTheTransfer_OtherWriteKept()
    {
        using var t = new TestConnector(configure: o => o.MaxRetries = 0);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Bank.SetPaymentStatus(op.PaymentId!, "AcceptedSettlementInProcess");
        t.Bank.Faults.Enqueue(r =>
        {
            if (r.Method == "GET" && r.Uri.AbsolutePath.EndsWith("/domestic-payments/" + op.PaymentId, StringComparison.Ordinal))
            {
                OtherProcessWrites(t, op.Id, o => o with { LastError = "written by another process" });
            }

            return null;
        });

        var ex = await Should.ThrowAsync<TransferConcurrencyException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        ex.OperationId.ShouldBe(op.Id);
        ex.Message.ShouldBe($"Transfer {op.Id:N} was changed concurrently; nothing was written.");
        var stored = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        stored.PaymentStatus.ShouldBe("Pending");
        stored.LastError.ShouldBe("written by another process");
    }

    [Fact]
    public async Task BankErrorAfterAnotherProcessFinishedTheTransfer_NoErrorWrittenOnTheFinishedOne()
    {
        using var t = new TestConnector(configure: o => o.MaxRetries = 0);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Bank.Faults.Enqueue(r =>
        {
            if (r.Method != "GET" || !r.Uri.AbsolutePath.EndsWith("/domestic-payments/" + op.PaymentId, StringComparison.Ordinal))
            {
                return null;
            }

            OtherProcessWrites(t, op.Id, o => o with { State = TransferState.Completed, PaymentStatus = "AcceptedSettlementCompleted" });
            return t.Bank.Error(400, "UK.OBIE.Resource.NotFound");
        });

        await Should.ThrowAsync<BankRequestRejectedException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        var stored = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        stored.State.ShouldBe(TransferState.Completed);
        stored.LastError.ShouldBeNull();
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Event.ShouldBe("status-other-process");
    }

    [Fact]
    public async Task Checkpoints_HeadlessTopup_EveryOneInOrder()
    {
        var seen = new Recorder();
        using var t = new TestConnector(checkpoints: seen);

        await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        seen.Checkpoints.ShouldBe([
            TransferCheckpoint.Created, TransferCheckpoint.ConsentCreatedAtBank, TransferCheckpoint.ConsentSaved, TransferCheckpoint.AuthorisedAtBank,
            TransferCheckpoint.CodeSaved, TransferCheckpoint.TokenIssued, TransferCheckpoint.TokenSaved, TransferCheckpoint.PaymentCreatedAtBank,
            TransferCheckpoint.PaymentSaved,
        ]);
    }

    [Fact]
    public async Task Checkpoints_DecoupledTopup_TokenIssuedBeforeItIsSaved()
    {
        var seen = new Recorder();
        using var t = new TestConnector(configure: b => b.AuthorizationMode = Settlement.OpenBanking.Configuration.AuthorizationMode.Decoupled, checkpoints: seen);
        t.Bank.Ciba = true;
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Bank.CibaAnswers.Enqueue("approve");

        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.PaymentSubmitted);

        seen.Checkpoints.ShouldBe([
            TransferCheckpoint.Created, TransferCheckpoint.ConsentCreatedAtBank, TransferCheckpoint.TokenIssued, TransferCheckpoint.TokenSaved,
            TransferCheckpoint.PaymentCreatedAtBank, TransferCheckpoint.PaymentSaved,
        ]);
    }

    private static TransferRequest Request() => new() { Bank = "acme", AmountMinor = 500 };

    private static bool IsPaymentPost(RecordedRequest r) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal);

    /// <summary>Another process's store on the same database file writes the transfer (a new version).</summary>
    private static void OtherProcessWrites(TestConnector t, Guid id, Func<TransferOperation, TransferOperation> change)
    {
        var store = new SqliteTransferStore(t.DatabasePath);
        var current = store.GetAsync(id, CancellationToken.None).GetAwaiter().GetResult()!;
        store.TryUpdateAsync(current, change(current), "status-other-process", null, t.Time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult().ShouldBeTrue();
    }

    private static void Sql(string db, string sql)
    {
        using var connection = new SqliteConnection("Data Source=" + db);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class Recorder : ITransferCheckpointObserver
    {
        public List<TransferCheckpoint> Checkpoints { get; } = [];

        public void OnCheckpoint(Guid operationId, TransferCheckpoint checkpoint) => Checkpoints.Add(checkpoint);
    }

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
