using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

public sealed class DecoupledModeTests
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task StartTopup_DecoupledAtBankWithoutCiba_FailsClearlyBeforeAnyConsent()
    {
        using var t = new TestConnector(configure: b => b.AuthorizationMode = AuthorizationMode.Decoupled);
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 700, Counterparty = Customer }, CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.LastError!.ShouldContain("does not advertise CIBA");
        op.ConsentId.ShouldBeNull();
        t.Bank.Consents.Count.ShouldBe(0);
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task Approved_PolledOnlyOnceDue_SubmittingThenOnePayment()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);
        op.AwaitingDecoupledAuthorisation.ShouldBeTrue();
        op.Decoupled!.Interval.ShouldBe(TimeSpan.FromSeconds(2));

        t.Time.Advance(TimeSpan.FromSeconds(1));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).ShouldBe(op);
        CibaPolls(t).ShouldBe(0);

        t.Time.Advance(TimeSpan.FromSeconds(1));
        t.Bank.CibaAnswers.Enqueue("approve");
        var done = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        CibaPolls(t).ShouldBe(1);
        done.State.ShouldBe(TransferState.PaymentSubmitted);
        done.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        done.ConsentStatus.ShouldBe("Consumed");
        t.Bank.PaymentsCreated.ShouldBe(1);
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).Select(h => h.Event)
            .ShouldBe(["created", "consent-created-decoupled", "authorised-decoupled", "payment-created"]);
    }

    [Fact]
    public async Task Pending_NextPollFromTheLastAnswerNotTheStoredOne_NothingPersisted()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        var history = await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);

        t.Time.Advance(TimeSpan.FromSeconds(2));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).ShouldBe(op);
        CibaPolls(t).ShouldBe(1);

        // The stored next poll (start + 2 s) has passed, the one from the last answer (+ 4 s) has not.
        t.Time.Advance(TimeSpan.FromSeconds(1));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).ShouldBe(op);
        CibaPolls(t).ShouldBe(1);

        t.Time.Advance(TimeSpan.FromSeconds(1));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).ShouldBe(op);
        CibaPolls(t).ShouldBe(2);
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).ShouldBe(history);
    }

    [Fact]
    public async Task SlowDown_IntervalPersistedOnceAndHonoured()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Bank.CibaAnswers.Enqueue("slow_down");

        var slower = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        slower.State.ShouldBe(TransferState.AwaitingAuthorisation);
        slower.Decoupled!.Interval.ShouldBe(TimeSpan.FromSeconds(7));
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("decoupled-slow-down");
        last.Detail.ShouldBe("interval 7 s");

        t.Time.Advance(TimeSpan.FromSeconds(6));
        await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        CibaPolls(t).ShouldBe(1);
        t.Time.Advance(TimeSpan.FromSeconds(1));
        var pending = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        CibaPolls(t).ShouldBe(2);

        // The same interval again: nothing new persisted.
        pending.ShouldBe(slower);
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).Count(h => h.Event == "decoupled-slow-down").ShouldBe(1);
    }

    [Fact]
    public async Task Denied_RejectedNothingPaid()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Bank.CibaAnswers.Enqueue("access_denied");

        var done = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        done.State.ShouldBe(TransferState.Rejected);
        done.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        done.LastError.ShouldBe("the customer declined the consent (decoupled)");
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("authorisation-declined");
        last.Detail.ShouldBe("access_denied");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task ExpiredAtBank_FailedNothingPaid()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Bank.CibaAnswers.Enqueue("expired_token");

        var done = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        done.State.ShouldBe(TransferState.Failed);
        done.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        done.LastError.ShouldBe("decoupled authorisation expired before the customer answered; nothing was paid");
        (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1].Event.ShouldBe("authorisation-expired");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task NoLongerPollable_ConsentAuthorisedByLostRun_FailedNothingPaid()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Bank.CibaAnswers.Enqueue("invalid_grant");
        foreach (var consent in t.Bank.Consents.Values)
        {
            consent["Data"]!["Status"] = "Authorised";
        }

        var done = await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        done.State.ShouldBe(TransferState.Failed);
        done.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        done.LastError!.ShouldStartWith("the decoupled authorisation can no longer be polled");
        var last = (await t.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        last.Event.ShouldBe("authorisation-lost");
        last.Detail.ShouldBe("invalid_grant");
        t.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task NoLongerPollable_ConsentStillAwaiting_ErrorRethrownStateUnchanged()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        t.Time.Advance(TimeSpan.FromSeconds(2));
        t.Bank.CibaAnswers.Enqueue("invalid_grant");

        var ex = await Should.ThrowAsync<BankAuthorizationException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        ex.Error.ShouldBe("invalid_grant");
        var stored = (await t.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        stored.State.ShouldBe(TransferState.AwaitingAuthorisation);
        stored.Decoupled.ShouldBe(op.Decoupled);
        stored.LastError.ShouldBe(ex.Message);
    }

    private static TestConnector Connector()
    {
        var t = new TestConnector(configure: b => b.AuthorizationMode = AuthorizationMode.Decoupled);
        t.Bank.Ciba = true;
        return t;
    }

    private static TransferRequest Request() => new() { Bank = "acme", AmountMinor = 700, Counterparty = Customer };

    private static int CibaPolls(TestConnector t) =>
        t.Bank.Requests.Count(r => r.Uri.AbsolutePath == "/as/token" && r.BodyText.Contains("grant-type%3Aciba", StringComparison.Ordinal));
}
