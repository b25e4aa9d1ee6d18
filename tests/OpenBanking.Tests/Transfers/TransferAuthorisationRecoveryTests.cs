using System.Text.Json.Nodes;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// An authorisation that cannot be continued (code refused at the exchange, the bank no longer
/// authorising the consent): the consent's status decides the final state, and every refusal leaves
/// the stored transfer as it was. Also the redirect completion's refusals.
/// </summary>
public sealed class TransferAuthorisationRecoveryTests
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task CodeRefusedAtExchange_ConsentAuthorisedButUnused_FailedNothingPaid()
    {
        using var t = new TestConnector();
        RefuseCodeExchange(t.Bank, consentStatus: null);

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.ConsentStatus.ShouldBe("Authorised");
        op.LastError.ShouldBe("the authorisation code was already used or expired before its token was saved; the consent is authorised but unused, so nothing was paid: start a new transfer (it gets a new consent)");
        op.AuthorizationCode.ShouldBeNull();
        op.CodeVerifier.ShouldBeNull();
        op.ConsentToken.ShouldBeNull();
        t.Bank.PaymentsCreated.ShouldBe(0);
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("authorisation-lost");
        last.Detail.ShouldBe("invalid_grant");
        last.From.ShouldBe(TransferState.AwaitingAuthorisation);
        last.To.ShouldBe(TransferState.Failed);
    }

    [Fact]
    public async Task CodeRefusedAtExchange_ConsentRejected_RejectedNothingPaid()
    {
        using var t = new TestConnector();
        RefuseCodeExchange(t.Bank, consentStatus: "Rejected");

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Rejected);
        op.ConsentStatus.ShouldBe("Rejected");
        op.AuthorizationCode.ShouldBeNull();
        t.Bank.PaymentsCreated.ShouldBe(0);
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("consent-rejected");
        last.Detail.ShouldBe("Rejected");
    }

    [Fact]
    public async Task CodeRefusedAtExchange_ConsentConsumed_NeverFailedWaitsForNotification()
    {
        using var t = new TestConnector();
        RefuseCodeExchange(t.Bank, consentStatus: "Consumed");

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.AwaitingAuthorisation);
        op.IsFinished.ShouldBeFalse();
        op.ConsentStatus.ShouldBe("Consumed");
        op.LastError.ShouldBe("the consent was used for a payment by another run; waiting for its id from an event notification");
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("payment-exists");
        last.Detail.ShouldBe("Consumed");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task HeadlessAuthorisationRefused_ConsentStillAwaiting_ErrorRethrownRecordedStateUnchanged()
    {
        using var t = new TestConnector();
        t.Bank.Faults.Enqueue(r => r.Uri.AbsolutePath == "/as/authorize" ? new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest) : null);
        var id = Guid.NewGuid();

        var ex = await Should.ThrowAsync<BankAuthorizationException>(() => t.Transfers.StartTopupAsync(Request() with { OperationId = id }, CancellationToken.None));

        ex.Error.ShouldBe("no_redirect");
        var stored = (await t.Transfers.GetAsync(id, CancellationToken.None))!;
        stored.State.ShouldBe(TransferState.AwaitingAuthorisation);
        stored.ConsentStatus.ShouldBe("AwaitingAuthorisation");
        stored.LastError.ShouldBe(ex.Message);
        stored.AuthorizationCode.ShouldBeNull();
        (await t.Transfers.GetHistoryAsync(id, CancellationToken.None)).Select(h => h.Event)
            .ShouldBe(["created", "consent-created", "authorisation-requested", "error"]);

        // The next attempt authorises: the refusal was not final.
        var resumed = await t.Transfers.AdvanceAsync(id, CancellationToken.None);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        resumed.LastError.ShouldBeNull();
        t.Bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task HeadlessAuthorisationRefused_ConsentAuthorisedByLostRun_FailedNothingPaid()
    {
        using var t = new TestConnector();
        t.Bank.Faults.Enqueue(r =>
        {
            if (r.Uri.AbsolutePath != "/as/authorize")
            {
                return null;
            }

            SetConsentStatus(t.Bank, "Authorised");
            return new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest);
        });

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.ConsentStatus.ShouldBe("Authorised");
        op.LastError!.ShouldStartWith("the consent was authorised by an earlier run whose authorisation code was lost before it was saved; the consent is authorised but unused");
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Detail.ShouldBe("no_redirect");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task HeadlessCustomerDeclines_RejectedWithReasonAndEvent()
    {
        using var t = new TestConnector();
        t.Bank.Decision = "decline";

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Rejected);
        op.LastError.ShouldBe("the customer declined the consent");
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("authorisation-declined");
        last.Detail.ShouldBe("access_denied");
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/token" && r.BodyText.Contains("authorization_code", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("access_denied", null, "authorisation failed: access_denied")]
    [InlineData("access_denied", "code-1", "authorisation failed: access_denied")]
    [InlineData(null, null, "authorisation failed: no code")]
    [InlineData(null, "", "authorisation failed: no code")]
    public async Task CompleteAuthorization_ErrorOrNoCode_RejectedNoTokenRequest(string? error, string? code, string reason)
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        var done = await t.Transfers.CompleteAuthorizationAsync(op.AuthorizationState!, code, error, CancellationToken.None);

        done.State.ShouldBe(TransferState.Rejected);
        done.LastError.ShouldBe(reason);
        done.AuthorizationCode.ShouldBeNull();
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("authorisation-declined");
        last.Detail.ShouldBe(error);
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/token" && r.BodyText.Contains("authorization_code", StringComparison.Ordinal));
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task CompleteAuthorization_SecondRedirectAfterCompletion_ReturnsStoredChangesNothing()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        var (state, code) = await FollowRedirect(t, op);
        var done = await t.Transfers.CompleteAuthorizationAsync(state, code, null, CancellationToken.None);
        done.State.ShouldBe(TransferState.PaymentSubmitted);
        var requests = t.Bank.Requests.Count;
        var history = await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);

        var again = await t.Transfers.CompleteAuthorizationAsync(state, code, null, CancellationToken.None);
        var declined = await t.Transfers.CompleteAuthorizationAsync(state, null, "access_denied", CancellationToken.None);

        again.ShouldBe(done);
        declined.ShouldBe(done);
        t.Bank.Requests.Count.ShouldBe(requests);
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).ShouldBe(history);
        t.Bank.PaymentsCreated.ShouldBe(1);
    }

    [Fact]
    public async Task CompleteAuthorization_CodeAlreadySaved_ReturnsStoredDoesNotExchangeAgain()
    {
        var time = TestConnector.NewClock();
        var bank = new FakeBank(time);
        var db = Path.Combine(Directory.CreateTempSubdirectory().FullName, "t.db");
        string state;
        string code;
        Guid id;
        using (var before = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time,
            checkpoints: new CrashAt(TransferCheckpoint.CodeSaved)))
        {
            var op = await before.Transfers.StartTopupAsync(Request(), CancellationToken.None);
            id = op.Id;
            (state, code) = await FollowRedirect(before, op);
            await Should.ThrowAsync<SimulatedCrash>(() => before.Transfers.CompleteAuthorizationAsync(state, code, null, CancellationToken.None));
        }

        using var after = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time);
        var stored = (await after.Transfers.GetAsync(id, CancellationToken.None))!;
        stored.AuthorizationCode.ShouldBe(code);

        // A second redirect (browser reload) with another code must not replace the saved one.
        var answered = await after.Transfers.CompleteAuthorizationAsync(state, "code-other", null, CancellationToken.None);

        answered.ShouldBe(stored);
        (await after.Transfers.GetAsync(id, CancellationToken.None)).ShouldBe(stored);
        bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/token" && r.BodyText.Contains("authorization_code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompleteAuthorization_LeaseHeldElsewhere_ReturnsStoredCodeNotSavedNothingSent()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        var (state, code) = await FollowRedirect(t, op);
        StoredLease.Hold(t, op.Id, "other-host/4242/1/abcd", t.Time.GetUtcNow().AddMinutes(5));
        var requests = t.Bank.Requests.Count;

        var answered = await t.Transfers.CompleteAuthorizationAsync(state, code, null, CancellationToken.None);

        answered.ShouldBe(op);
        answered.AuthorizationCode.ShouldBeNull();
        (await t.Transfers.GetAsync(op.Id, CancellationToken.None)).ShouldBe(op);
        t.Bank.Requests.Count.ShouldBe(requests);
    }

    [Fact]
    public async Task RedirectBank_ConsentRejectedAtBank_AdvanceRejects_OtherwiseWaits()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        var waiting = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        waiting.ShouldBe(op);

        SetConsentStatus(t.Bank, "Rejected");
        var rejected = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        rejected.State.ShouldBe(TransferState.Rejected);
        rejected.ConsentStatus.ShouldBe("Rejected");
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Event.ShouldBe("consent-rejected");
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/authorize");
    }

    private static TransferRequest Request() => new() { Bank = "acme", AmountMinor = 500, Counterparty = Customer };

    private static void SetConsentStatus(FakeBank bank, string status)
    {
        foreach (var consent in bank.Consents.Values)
        {
            consent["Data"]!["Status"] = status;
        }
    }

    /// <summary>The token endpoint refuses the authorisation code (invalid_grant); optionally the consent moves to <paramref name="consentStatus"/> first.</summary>
    private static void RefuseCodeExchange(FakeBank bank, string? consentStatus) =>
        bank.Faults.Enqueue(r =>
        {
            if (r.Uri.AbsolutePath != "/as/token" || !r.BodyText.Contains("authorization_code", StringComparison.Ordinal))
            {
                return null;
            }

            if (consentStatus is not null)
            {
                SetConsentStatus(bank, consentStatus);
            }

            return bank.Json(400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "code already used" }, sign: false);
        });

    private static async Task<(string State, string Code)> FollowRedirect(TestConnector t, TransferOperation op)
    {
        using var http = new HttpClient(t.Bank, disposeHandler: false);
        using var redirect = await http.GetAsync(op.AuthorizationUrl);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        return (query["state"]!, query["code"]!);
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
