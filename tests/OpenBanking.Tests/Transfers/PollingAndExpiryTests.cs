using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>Per-payment poll back-off, authorisation timeouts and consent lifetimes, on the injected clock.</summary>
public sealed class PollingAndExpiryTests
{
    private static readonly AccountIdentification Merchant = new("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant");

    [Fact]
    public async Task Poll_NoChange_BackOffDoublesUpToTheCapAndChangeResetsIt()
    {
        using var t = new TestConnector(ObieVersion.V4_0, configure: o =>
        {
            o.StatusPollInitialInterval = TimeSpan.FromSeconds(1);
            o.StatusPollMaxInterval = TimeSpan.FromSeconds(5);
        });
        var op = await t.Transfers.StartPayoutAsync(new TransferRequest { Bank = "acme", AmountMinor = 100, Counterparty = Merchant }, CancellationToken.None);
        var gets = () => t.Bank.Requests.Count(r => r.Method == "GET" && r.Uri.AbsolutePath.EndsWith("/domestic-payments/" + op.PaymentId, StringComparison.Ordinal));

        // Advance every 0.5 s for 20 s: polls happen at 0, 1, 3, 7, 12, 17 (waits 1, 2, 4, 5, 5: doubled, capped at 5 s).
        var polledAt = new List<double>();
        for (var i = 0; i <= 40; i++)
        {
            var before = gets();
            await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
            if (gets() > before)
            {
                polledAt.Add(i * 0.5);
            }

            t.Time.Advance(TimeSpan.FromMilliseconds(500));
        }

        polledAt.ShouldBe([0, 1, 3, 7, 12, 17]);

        // A change starts the back-off again.
        t.Bank.SetPaymentStatus(op.PaymentId!, "ACSP");
        t.Time.Advance(TimeSpan.FromSeconds(5));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).PaymentStatus.ShouldBe("ACSP");
        var due = t.Transfers.NextStatusPollDue(op.Id);
        due.ShouldBe(t.Time.GetUtcNow() + TimeSpan.FromSeconds(1));

        // A poll that is not due sends nothing.
        var count = gets();
        await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        gets().ShouldBe(count);
    }

    [Fact]
    public async Task AwaitingAuthorisation_PastTimeout_ExpiredAndNothingSentAfterwards()
    {
        using var t = new TestConnector(configure: o =>
        {
            o.Quirks.HeadlessAuthorization = false;
            o.AuthorisationTimeout = TimeSpan.FromMinutes(10);
        });
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);

        t.Time.Advance(TimeSpan.FromMinutes(9));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.AwaitingAuthorisation);

        t.Time.Advance(TimeSpan.FromMinutes(1));
        var expired = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        expired.State.ShouldBe(TransferState.Expired);
        expired.IsFinished.ShouldBeTrue();
        expired.LastError.ShouldBe("not authorised within AuthorisationTimeout (00:10:00) of its creation; the consent is not used any more, nothing was paid: start a new transfer");

        // The customer's redirect arriving late changes nothing and sends nothing.
        var sent = t.Bank.Requests.Count;
        using var http = new HttpClient(t.Bank, disposeHandler: false);
        using (await http.GetAsync(op.AuthorizationUrl))
        {
        }

        sent = t.Bank.Requests.Count;
        (await t.Transfers.CompleteAuthorizationAsync(op.AuthorizationState!, "code-late", null, CancellationToken.None)).State.ShouldBe(TransferState.Expired);
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Expired);
        (await t.Transfers.ResumeAsync(CancellationToken.None)).ShouldNotContain(o => o.Id == op.Id);
        t.Bank.Requests.Count.ShouldBe(sent);
        t.Bank.PaymentsCreated.ShouldBe(0);
        (await t.Transfers.ListAsync(includeFinished: false, CancellationToken.None)).ShouldNotContain(o => o.Id == op.Id);
    }

    [Fact]
    public async Task Consent_AuthorisationCompletionPassed_ExpiredWithoutUsingIt()
    {
        using var t = new TestConnector(ObieVersion.V4_0, configure: o => o.Quirks.HeadlessAuthorization = false);
        var start = t.Time.GetUtcNow();
        t.Bank.ConsentData = d => d["Authorisation"] = new System.Text.Json.Nodes.JsonObject
        {
            ["AuthorisationType"] = "Single", ["CompletionDateTime"] = start.AddMinutes(5).ToString("O"),
        };
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.ConsentAuthorisationDeadline.ShouldBe(start.AddMinutes(5));

        t.Time.Advance(TimeSpan.FromMinutes(6));
        var expired = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        expired.State.ShouldBe(TransferState.Expired);
        expired.LastError!.ShouldStartWith("not authorised by the consent's Authorisation.CompletionDateTime");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task Consent_CutOffAlreadyPassed_FailedAtCreationNeverAuthorised()
    {
        using var t = new TestConnector();
        var start = t.Time.GetUtcNow();
        t.Bank.ConsentData = d => d["CutOffDateTime"] = start.AddMinutes(-1).ToString("O");
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.Failed);
        op.LastError.ShouldBe($"the consent's CutOffDateTime {start.AddMinutes(-1):O} has passed; nothing was paid");
        t.Bank.Requests.ShouldNotContain(r => r.Uri.AbsolutePath == "/as/authorize");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task Consent_CutOffPassesBeforePayment_PaymentNotSentNothingPaid()
    {
        using var t = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false);
        var start = t.Time.GetUtcNow();
        t.Bank.ConsentData = d => d["CutOffDateTime"] = start.AddMinutes(2).ToString("O");
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.ConsentCutOff.ShouldBe(start.AddMinutes(2));

        // The customer authorises at once, but the payment step only runs after the cut-off.
        t.Bank.Faults.Enqueue(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)
            ? throw new InvalidOperationException("no payment may be sent") : null);
        using var http = new HttpClient(t.Bank, disposeHandler: false);
        using var redirect = await http.GetAsync(op.AuthorizationUrl);
        var query = System.Web.HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
        t.Time.Advance(TimeSpan.FromMinutes(3));
        var done = await t.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        done.State.ShouldBe(TransferState.Failed);
        done.LastError!.ShouldStartWith($"the consent's CutOffDateTime {start.AddMinutes(2):O} passed before the payment was sent; the consent is unused, so nothing was paid");
        t.Bank.Requests.ShouldNotContain(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal));
        t.Bank.PaymentsCreated.ShouldBe(0);
    }
}
