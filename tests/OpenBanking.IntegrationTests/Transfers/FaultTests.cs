using System.Net;
using System.Text;
using Settlement.BankSandbox.Faults;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.IntegrationTests.Transfers;

/// <summary>
/// Every injected sandbox fault, end to end over HTTPS: the transfer completes and the sandbox
/// balances show the money moved exactly once.
/// </summary>
public sealed class FaultTests
{
    /// <summary>Real time per HTTPS attempt in the latency tests: long enough that only the held request times out.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);

    private const long Amount = 4_321;
    private static readonly AccountIdentification CustomerAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task ServerErrorOnPaymentPost_RetriedSameKey_PaidOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathPrefix = "/domestic-payments", Times = 2 });
        var op = await StartTopup(bank);
        PaymentPosts(bank).Select(e => e.Status).ShouldBe([500, 500, 201]);
        await AssertPaidOnce(bank, op);
    }

    [Fact]
    public async Task ServerErrorOnEveryConsentAttempt_StateKeptThenResumed_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, o => o.MaxRetries = 2);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathPrefix = "/domestic-payment-consents", Times = int.MaxValue });
        var id = Guid.NewGuid();
        var ex = await Should.ThrowAsync<BankServerErrorException>(() => bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None));
        ex.ErrorCodes.ShouldBe(["U000"]);
        var stuck = (await bank.Transfers.GetAsync(id, CancellationToken.None))!;
        stuck.State.ShouldBe(TransferState.Created);
        stuck.LastError.ShouldNotBeNull();

        bank.Host.Faults.Clear();
        var resumed = (await bank.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        await AssertPaidOnce(bank, resumed);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task TooManyRequestsWithRetryAfter_Honoured_PaidOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.TooManyRequests, Method = "POST", PathPrefix = "/domestic-payments", RetryAfterSeconds = 1 });
        var op = await StartTopup(bank);
        PaymentPosts(bank).Select(e => e.Status).ShouldBe([429, 201]);
        await AssertPaidOnce(bank, op);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task LatencyBeyondAttemptTimeout_TimedOutAttemptRetriedSameKey_PaidOnce(ObieVersion version)
    {
        // The sandbox holds the request on its own (manual) clock: the connector's attempt times out. The attempt timeout
        // is real time (Polly's timeout on the HTTPS call): 3 s leaves the other calls of the run headroom on a loaded
        // machine, where a TLS handshake alone can take most of a second.
        await using var bank = await SandboxBank.StartAsync(version, o => o.AttemptTimeout = AttemptTimeout);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Method = "POST", PathPrefix = "/domestic-payments", Latency = TimeSpan.FromMinutes(5) });
        var op = await StartTopup(bank);
        PaymentPosts(bank).Select(e => e.Status).ShouldBe([201]);
        await AssertPaidOnce(bank, op);
    }

    [Fact]
    public async Task LatencyOnEveryAttempt_AmbiguousTimeoutKeepsStateThenLookupBeforeResend_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, o =>
        {
            o.AttemptTimeout = AttemptTimeout;
            o.MaxRetries = 1;
        });
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Method = "POST", PathPrefix = "/domestic-payments", Latency = TimeSpan.FromMinutes(5), Times = 2 });
        var id = Guid.NewGuid();
        var ex = await Should.ThrowAsync<BankTransportException>(() => bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None));
        ex.MayHaveBeenProcessed.ShouldBeTrue();
        (await bank.Transfers.GetAsync(id, CancellationToken.None))!.State.ShouldBe(TransferState.SubmittingPayment);

        var resumed = await bank.Transfers.AdvanceAsync(id, CancellationToken.None);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        await AssertPaidOnce(bank, resumed);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task ResponseDroppedAfterPaymentCreated_RepostSameKeyReturnsSamePayment_PaidOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-payments" });
        var op = await StartTopup(bank);
        PaymentPosts(bank).Select(e => e.Status).ShouldBe([201]); // the first exchange never completed
        await AssertPaidOnce(bank, op);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task ResponseDroppedNoRetries_NextAdvanceRepostsSameKeyAndBody_PaidOnce(ObieVersion version)
    {
        // No kill, no notification: the dropped answer leaves SubmittingPayment; the next advance
        // repeats the POST (saved token, same x-idempotency-key, same bytes) and gets the payment.
        await using var bank = await SandboxBank.StartAsync(version, o => o.MaxRetries = 0);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-payments" });
        var id = Guid.NewGuid();
        await Should.ThrowAsync<BankTransportException>(() => bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None));
        (await bank.Transfers.GetAsync(id, CancellationToken.None))!.State.ShouldBe(TransferState.SubmittingPayment);

        var resumed = await bank.Transfers.AdvanceAsync(id, CancellationToken.None);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        resumed.PaymentId.ShouldNotBeNull();
        PaymentPosts(bank).Select(e => e.Status).ShouldBe([201]); // the dropped exchange never completed
        await AssertPaidOnce(bank, resumed);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task ResponseDroppedThenProcessRestart_RepostSameKeyAndBodyRecoversPayment_PaidOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version, o => o.MaxRetries = 0);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-payments" });
        var id = Guid.NewGuid();
        await Should.ThrowAsync<BankTransportException>(() => bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None));

        await bank.RestartConnectorAsync();
        var resumed = (await bank.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.Id.ShouldBe(id);
        resumed.State.ShouldBe(TransferState.PaymentSubmitted);
        resumed.PaymentId.ShouldNotBeNull();
        resumed.LastError.ShouldBeNull();
        await AssertPaidOnce(bank, resumed);
        (await bank.Transfers.GetHistoryAsync(id, CancellationToken.None)).Count(h => h.Event == "payment-created").ShouldBe(1);
    }

    [Theory]
    [InlineData(ObieVersion.V3_1_11)]
    [InlineData(ObieVersion.V4_0)]
    public async Task DuplicateNotifications_DroppedByJti_CompletedByNotificationsAlone_PaidOnce(ObieVersion version)
    {
        await using var bank = await SandboxBank.StartAsync(version);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DuplicateNotification, Times = int.MaxValue });
        var op = await StartTopup(bank);

        bank.AdvanceBank(TimeSpan.FromSeconds(1));   // -> settlement in process
        await bank.WaitForNotificationsAsync(2);
        bank.AdvanceBank(TimeSpan.FromSeconds(2));   // -> settlement completed
        await bank.WaitForNotificationsAsync(4);

        var done = (await bank.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        done.State.ShouldBe(TransferState.Completed);
        bank.Notifications.Count(n => n == NotificationOutcome.Duplicate).ShouldBe(2);
        bank.Notifications.Count(n => n == NotificationOutcome.Processed).ShouldBe(2);
        var history = await bank.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);
        history.Count(h => h.Event == "status-notification").ShouldBe(2);
        Balances(bank);
    }

    [Fact]
    public async Task OutOfOrderNotifications_NeverMoveBackwards_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.OutOfOrderNotification });
        var op = await StartTopup(bank);

        bank.AdvanceBank(TimeSpan.FromSeconds(1));   // ACSP: held back by the sandbox
        bank.AdvanceBank(TimeSpan.FromSeconds(2));   // ACSC: delivered, then the held ACSP
        await bank.WaitForNotificationsAsync(2);

        var done = (await bank.Transfers.GetAsync(op.Id, CancellationToken.None))!;
        done.State.ShouldBe(TransferState.Completed);
        done.PaymentStatus.ShouldBe("ACSC");
        var history = await bank.Transfers.GetHistoryAsync(op.Id, CancellationToken.None);
        history.Last().To.ShouldBe(TransferState.Completed);
        history.ShouldAllBe(h => h.Accepted);
        Balances(bank);
    }

    [Fact]
    public async Task RestartBeforeAuthorisation_ResumedFromDatabase_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, PathPrefix = "/as/authorize", Times = int.MaxValue });
        var id = Guid.NewGuid();
        await Should.ThrowAsync<BankAuthorizationException>(() => bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None));
        (await bank.Transfers.GetAsync(id, CancellationToken.None))!.State.ShouldBe(TransferState.AwaitingAuthorisation);

        bank.Host.Faults.Clear();
        await bank.RestartConnectorAsync();
        var resumed = (await bank.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.Id.ShouldBe(id);
        await AssertPaidOnce(bank, resumed);
    }

    [Fact]
    public async Task RestartWhilePaymentSettling_ResumedFromDatabase_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V3_1_11);
        var op = await StartTopup(bank);
        bank.AdvanceBank(TimeSpan.FromSeconds(1));
        await bank.RestartConnectorAsync();
        var resumed = (await bank.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.Id.ShouldBe(op.Id);
        resumed.PaymentId.ShouldBe(op.PaymentId);
        await AssertPaidOnce(bank, resumed);
    }

    [Fact]
    public async Task StartSameOperationAfterRestart_SameTransfer_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var id = Guid.NewGuid();
        var op = await bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None);
        await bank.RestartConnectorAsync();
        var again = await bank.Transfers.StartTopupAsync(Request(id), CancellationToken.None);
        again.PaymentId.ShouldBe(op.PaymentId);
        await AssertPaidOnce(bank, again);
    }

    [Fact]
    public async Task Webhook_ForgedOrGarbageNotification_Refused400()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        using var http = new HttpClient();
        var url = new Uri(new Uri(bank.Connector!.Urls.First()), $"/open-banking/{SandboxBank.BankName}/event-notifications");
        using var forged = await http.PostAsync(url, new StringContent("eyJhbGciOiJQUzI1NiIsImtpZCI6IngifQ.eyJpc3MiOiJ4In0.c2ln", Encoding.ASCII, "application/jwt"));
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var unknownBank = await http.PostAsync(new Uri(url, "/open-banking/nobank/event-notifications"), new StringContent("x"));
        unknownBank.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bank.Notifications.ShouldAllBe(n => n == NotificationOutcome.Rejected);
    }

    private static TransferRequest Request(Guid? id = null) =>
        new() { OperationId = id, Bank = SandboxBank.BankName, AmountMinor = Amount, Counterparty = CustomerAccount };

    private static Task<TransferOperation> StartTopup(SandboxBank bank) => bank.Transfers.StartTopupAsync(Request(), CancellationToken.None);

    private static List<Exchange> PaymentPosts(SandboxBank bank) =>
        bank.Exchanges.Where(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)).ToList();

    private static async Task AssertPaidOnce(SandboxBank bank, TransferOperation op)
    {
        var done = await bank.DriveAsync(op.Id);
        done.State.ShouldBe(TransferState.Completed);
        Balances(bank);

        // Nothing more happens however often the transfer is advanced or resumed.
        await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        await bank.Transfers.ResumeAsync(CancellationToken.None);
        bank.AdvanceBank(TimeSpan.FromSeconds(10));
        Balances(bank);
    }

    private static void Balances(SandboxBank bank)
    {
        bank.AdvanceBank(TimeSpan.FromSeconds(5));
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - Amount);
        bank.Balance(SandboxBank.Platform).ShouldBe(Amount);
    }
}
