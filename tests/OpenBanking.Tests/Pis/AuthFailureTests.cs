using System.Net;
using System.Text;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Pis;

/// <summary>401 / 403 answers are classified by status before any signature is demanded of them.</summary>
public sealed class AuthFailureTests
{
    private static readonly PaymentInstruction Instruction = new("instr-1", "e2e-1", new Money(1050, "GBP"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"), null, "REF");

    [Fact]
    public async Task ConsentPost_401Once_TokenRefreshedOnceSameKeyAndBodyOneConsent()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? Unauthorized() : null);

        var consent = await client.CreateConsentAsync(Instruction, "key-401", CancellationToken.None);

        consent.ConsentId.ShouldNotBeNullOrEmpty();
        t.Bank.Consents.Count.ShouldBe(1);
        var posts = t.Bank.Requests.Where(IsConsentPost).ToList();
        posts.Count.ShouldBe(2);
        posts.ShouldAllBe(p => p.Headers["x-idempotency-key"] == "key-401");
        posts[1].Body.ShouldBe(posts[0].Body);
        // A second client-credentials token was fetched (MSAL's cache bypassed) and used for the repeat.
        t.Bank.Requests.Count(r => r.Uri.AbsolutePath == "/as/token").ShouldBe(2);
        posts[1].Headers["authorization"].ShouldNotBe(posts[0].Headers["authorization"]);
        t.Logs.Lines.ShouldContain(l => l.Contains("answered 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConsentPost_401Twice_TypedAuthErrorAfterOneRefreshNothingCreated()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? Unauthorized() : null);
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? Unauthorized() : null);

        var ex = await Should.ThrowAsync<BankAuthenticationException>(() => client.CreateConsentAsync(Instruction, "key-401", CancellationToken.None));

        ex.Message.ShouldBe($"Bank 'acme': POST /domestic-payment-consents: the bank refused the access token, also after one refresh (HTTP 401) x-fapi-interaction-id={ex.InteractionId}");
        ex.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        ex.IsTransient.ShouldBeFalse();
        ex.MayHaveBeenProcessed.ShouldBeFalse();
        t.Bank.Requests.Count(IsConsentPost).ShouldBe(2);
        t.Bank.Consents.Count.ShouldBe(0);
        ex.ToString().ShouldNotContain("secret-access-token");
    }

    [Fact]
    public async Task ConsentPost_403_TypedForbiddenNotRetriedNoSignatureDemanded()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? new HttpResponseMessage(HttpStatusCode.Forbidden) : null);

        var ex = await Should.ThrowAsync<BankForbiddenException>(() => client.CreateConsentAsync(Instruction, "key-403", CancellationToken.None));

        ex.Message.ShouldBe($"Bank 'acme': POST /domestic-payment-consents: forbidden for this client or token (HTTP 403) x-fapi-interaction-id={ex.InteractionId}");
        ex.IsTransient.ShouldBeFalse();
        t.Bank.Requests.Count(IsConsentPost).ShouldBe(1);
        t.Bank.Requests.Count(r => r.Uri.AbsolutePath == "/as/token").ShouldBe(1);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task PaymentPost_AuthFailure_NoRetryNoPaymentTransferSaysNothingWasPaid(HttpStatusCode status)
    {
        using var t = new TestConnector();
        t.Bank.Faults.Enqueue(r => IsPaymentPost(r) ? new HttpResponseMessage(status) : null);

        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 300 }, CancellationToken.None);

        // The consent-scoped token cannot be refreshed: the POST is not repeated, the consent is read.
        t.Bank.Requests.Count(IsPaymentPost).ShouldBe(1);
        t.Bank.PaymentsCreated.ShouldBe(0);
        op.State.ShouldBe(TransferState.Failed);
        op.PaymentId.ShouldBeNull();
        if (status == HttpStatusCode.Unauthorized)
        {
            op.LastError.ShouldBe("the bank refused the consent token (HTTP 401) before the payment was sent; the consent is unused, so nothing was paid: start a new transfer (it gets a new consent)");
        }
        else
        {
            op.LastError!.ShouldStartWith("Bank 'acme': POST /domestic-payments: forbidden for this client or token (HTTP 403) x-fapi-interaction-id=");
        }

        // Nothing more is sent for it.
        var before = t.Bank.Requests.Count;
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Failed);
        t.Bank.Requests.Count.ShouldBe(before);
    }

    [Fact]
    public async Task ConsentPost_403_TransferFailedWithReasonNoConsent()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        t.Bank.Faults.Enqueue(r => IsConsentPost(r) ? new HttpResponseMessage(HttpStatusCode.Forbidden) : null);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 300 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.Failed);
        op.LastError!.ShouldStartWith("Bank 'acme': POST /domestic-payment-consents: forbidden for this client or token (HTTP 403) x-fapi-interaction-id=");
        op.ConsentId.ShouldBeNull();
        t.Bank.Consents.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Response_WrongBankIssuer_RefusedWithReason()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        t.Bank.ResponseIssuer = "another-bank";
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => client.CreateConsentAsync(Instruction, "key-iss", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.SignatureInvalid);
        ex.Message.ShouldContain("iss claim 'another-bank' is not the bank's 'fake-bank'");
    }

    [Fact]
    public async Task Response_NoIssuerConfigured_AnyIssuerAccepted()
    {
        using var t = new TestConnector(configure: o => o.BankJwsIssuer = null);
        t.Bank.ResponseIssuer = "another-bank";
        (await t.Clients.Get("acme").CreateConsentAsync(Instruction, "key-iss", CancellationToken.None)).ConsentId.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Notification_WrongOrMissingHeaderIssuer_RejectedWithReasonStateUnchanged()
    {
        using var t = new TestConnector(ObieVersion.V4_0);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        t.Bank.SetPaymentStatus(op.PaymentId!, "ACSC");

        (await t.Receiver.ReceiveAsync("acme", t.Bank.Notification(op.PaymentId!, TestConnector.ClientId, headerIssuer: "another-bank"), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Rejected);
        (await t.Receiver.ReceiveAsync("acme", t.Bank.Notification(op.PaymentId!, TestConnector.ClientId, headerIssuer: null), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Rejected);
        t.Logs.Lines.ShouldContain(l => l.Contains("signature header http://openbanking.org.uk/iss 'another-bank' is not the bank's 'fake-bank'", StringComparison.Ordinal));
        t.Logs.Lines.ShouldContain(l => l.Contains("signature header http://openbanking.org.uk/iss missing (the bank's is 'fake-bank')", StringComparison.Ordinal));
        (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!.State.ShouldBe(TransferState.PaymentSubmitted);

        (await t.Receiver.ReceiveAsync("acme", t.Bank.Notification(op.PaymentId!, TestConnector.ClientId), CancellationToken.None))
            .ShouldBe(Settlement.OpenBanking.Notifications.NotificationOutcome.Processed);
        (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!.State.ShouldBe(TransferState.Completed);
    }

    private static bool IsConsentPost(RecordedRequest r) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payment-consents", StringComparison.Ordinal);

    private static bool IsPaymentPost(RecordedRequest r) => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal);

    private static HttpResponseMessage Unauthorized() => new(HttpStatusCode.Unauthorized)
    {
        Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"error":"invalid_token"}""")),
    };
}
