using Settlement.BankSandbox.Faults;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Vrp;

namespace Settlement.OpenBanking.IntegrationTests.Vrp;

/// <summary>
/// The VRP connector against the real sandbox over HTTPS: consent, authorisation, sweeps, limits, revocation, and the
/// fault table (500, 429, dropped response, duplicate and out-of-order notifications, restarts) applied to sweeps. The
/// sandbox balances are the independent check that nothing was paid twice and nothing was lost.
/// </summary>
public sealed class VrpSweepTests
{
    private static readonly AccountIdentification CustomerAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");

    /// <summary>£50 per sweep, £100 per consent-aligned day.</summary>
    private static VrpConsentTerms Terms(long maximum = 5_000, long perDay = 10_000) =>
        new(maximum, [new VrpPeriodicLimit(VrpPeriodType.Day, VrpPeriodAlignment.Consent, perDay)], Debtor: CustomerAccount);

    [Fact]
    public async Task ConsentAuthoriseThreeSweepsLimitRefusalRevoke_MoneyMovesExactlyForTheThree()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var consent = await AuthorisedConsentAsync(bank);
        consent.Status.ShouldBe(VrpConsentStatus.Authorised);
        consent.CanSweep.ShouldBeTrue();
        consent.Debtor!.Identification.ShouldBe(SandboxBank.Customer);

        (await bank.Sweeps.AvailableAllowanceAsync(consent.ConsentId, CancellationToken.None)).ShouldBe(5_000);
        foreach (var (op, amount) in new[] { ("recharge-1", 3_000L), ("recharge-2", 3_000L), ("recharge-3", 4_000L) })
        {
            var started = await bank.Sweeps.StartSweepAsync(consent.ConsentId, op, amount, CancellationToken.None);
            started.Kind.ShouldBe(SweepOutcomeKind.Started);
            started.Status!.State.ShouldBe(SweepState.Submitted);
            bank.AdvanceBank(TimeSpan.FromSeconds(3));
            (await bank.Sweeps.PollUntilFinalAsync(op, TimeSpan.FromMilliseconds(10), 5, CancellationToken.None)).State.ShouldBe(SweepState.Completed);
        }

        (await bank.Sweeps.AvailableAllowanceAsync(consent.ConsentId, CancellationToken.None)).ShouldBe(0);

        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 10_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(10_000);

        // The day's £100 is used up: refused here, before the bank is called.
        var postsBefore = VrpPosts(bank).Count;
        var refused = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "recharge-4", 1, CancellationToken.None);
        refused.Kind.ShouldBe(SweepOutcomeKind.Refused);
        refused.Refusal.ShouldBe(SweepRefusal.ExceedsPeriodicLimit);
        refused.Status!.State.ShouldBe(SweepState.Refused);
        VrpPosts(bank).Count.ShouldBe(postsBefore);

        var tooBig = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "recharge-5", 5_001, CancellationToken.None);
        tooBig.Refusal.ShouldBe(SweepRefusal.ExceedsMaximumIndividualAmount);

        // The repeat of a refused operation gives the same answer.
        (await bank.Sweeps.StartSweepAsync(consent.ConsentId, "recharge-4", 1, CancellationToken.None)).Status!.Refusal.ShouldBe(SweepRefusal.ExceedsPeriodicLimit);

        await bank.Sweeps.RevokeConsentAsync(consent.ConsentId, CancellationToken.None);
        (await bank.Clients.GetVrp(SandboxBank.BankName).GetConsentAsync(consent.ConsentId, CancellationToken.None)).Status.ShouldBe(VrpConsentStatus.Revoked);
        bank.AdvanceBank(TimeSpan.FromDays(1));
        var afterRevoke = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "recharge-6", 1_000, CancellationToken.None);
        afterRevoke.Refusal.ShouldBe(SweepRefusal.ConsentRevoked);

        bank.AdvanceBank(TimeSpan.FromSeconds(5));
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 10_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(10_000);
        bank.Host.PaymentCount.ShouldBe(3);
    }

    [Fact]
    public async Task BankSideLimit_WhenLocalViewIsBehind_RefusalComesBackAsData()
    {
        // A second connector database (as if another deployment shared the consent): the bank's count is the truth.
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var consent = await AuthorisedConsentAsync(bank, Terms(5_000, 6_000));
        var vrp = bank.Clients.GetVrp(SandboxBank.BankName);
        var atBank = await vrp.GetConsentAsync(consent.ConsentId, CancellationToken.None);
        (await bank.Sweeps.StartSweepAsync(consent.ConsentId, "a", 4_000, CancellationToken.None)).Kind.ShouldBe(SweepOutcomeKind.Started);

        var stored = await bank.Sweeps.GetConsentAsync(consent.ConsentId, CancellationToken.None);
        stored.ShouldNotBeNull();
        var tokens = await RefreshedTokensAsync(bank, consent.ConsentId);
        var direct = await vrp.SubmitPaymentAsync(atBank, 3_000, "direct-1", tokens, "direct-key-1", null, CancellationToken.None);
        direct.Payment.ShouldBeNull();
        direct.IsLimitRefusal.ShouldBeTrue();
        direct.RefusalCodes.ShouldBe(["U014"]);
        bank.Host.PaymentCount.ShouldBe(1);
    }

    [Fact]
    public async Task ServerErrorsThenTooManyRequests_RetriedWithSameKey_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var consent = await AuthorisedConsentAsync(bank);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathPrefix = "/domestic-vrps", Times = 2 });
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.TooManyRequests, Method = "POST", PathPrefix = "/domestic-vrps", RetryAfterSeconds = 1 });
        var started = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-500", 2_500, CancellationToken.None);
        started.Status!.State.ShouldBe(SweepState.Submitted);
        // Both rules match the first attempt: the 429 answers it (and uses up one 500 as well).
        VrpPosts(bank).Select(e => e.Status).ShouldBe([429, 500, 201]);
        VrpPosts(bank).Select(e => e.RequestBody).Distinct().Count().ShouldBe(1);
        await AssertPaidOnceAsync(bank, "op-500", 2_500);
    }

    [Fact]
    public async Task ServerErrorOnEveryAttempt_SweepStaysPendingThenResumes_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, o => o.MaxRetries = 1);
        var consent = await AuthorisedConsentAsync(bank);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.ServerError, Method = "POST", PathPrefix = "/domestic-vrps", Times = int.MaxValue });
        var started = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-down", 2_500, CancellationToken.None);
        started.Kind.ShouldBe(SweepOutcomeKind.Started);
        started.Status!.State.ShouldBe(SweepState.Pending);
        started.Status.LastError.ShouldNotBeNull();
        bank.Host.PaymentCount.ShouldBe(0);

        bank.Host.Faults.Clear();
        var resumed = (await bank.Sweeps.ResumeAsync(CancellationToken.None)).Single();
        resumed.State.ShouldBe(SweepState.Submitted);
        await AssertPaidOnceAsync(bank, "op-down", 2_500);
    }

    [Fact]
    public async Task ResponseDroppedThenRestart_RepeatOfStartResendsSameRequest_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, o => o.MaxRetries = 0);
        var consent = await AuthorisedConsentAsync(bank);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-vrps" });
        var first = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-drop", 2_500, CancellationToken.None);
        first.Status!.State.ShouldBe(SweepState.Pending);
        bank.Host.PaymentCount.ShouldBe(1); // the bank made it; the connector does not know yet

        // A crash: nothing in memory survives. The caller retries the same operation.
        await bank.RestartConnectorAsync();
        var again = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-drop", 2_500, CancellationToken.None);
        again.Kind.ShouldBe(SweepOutcomeKind.Exists);
        again.Status!.State.ShouldBe(SweepState.Submitted);
        again.Status.PaymentId.ShouldNotBeNull();
        bank.Host.PaymentCount.ShouldBe(1);
        await AssertPaidOnceAsync(bank, "op-drop", 2_500);
    }

    [Fact]
    public async Task ResponseDropped_NotificationAloneAttachesThePayment_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, o => o.MaxRetries = 0);
        var consent = await AuthorisedConsentAsync(bank);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DropResponseAfterCommit, Method = "POST", PathPrefix = "/domestic-vrps" });
        (await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-notify", 2_500, CancellationToken.None)).Status!.State.ShouldBe(SweepState.Pending);

        bank.AdvanceBank(TimeSpan.FromSeconds(1));   // ACSP → notification
        await bank.WaitForNotificationsAsync(1);
        var attached = (await bank.Sweeps.GetSweepStatusAsync("op-notify", CancellationToken.None))!;
        attached.State.ShouldBe(SweepState.Submitted);
        attached.PaymentId.ShouldNotBeNull();
        await AssertPaidOnceAsync(bank, "op-notify", 2_500);
    }

    [Fact]
    public async Task DuplicateAndOutOfOrderNotifications_NeverMoveASweepBack_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var consent = await AuthorisedConsentAsync(bank);
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.DuplicateNotification, Times = int.MaxValue });
        bank.Host.Faults.Add(new FaultRule { Kind = FaultKind.OutOfOrderNotification });
        (await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-notes", 2_500, CancellationToken.None)).Status!.State.ShouldBe(SweepState.Submitted);

        bank.AdvanceBank(TimeSpan.FromSeconds(1));   // ACSP: held back
        bank.AdvanceBank(TimeSpan.FromSeconds(2));   // ACSC: delivered (twice), then the held ACSP (twice)
        await bank.WaitForNotificationsAsync(4);

        var done = (await bank.Sweeps.GetSweepStatusAsync("op-notes", CancellationToken.None))!;
        done.State.ShouldBe(SweepState.Completed);
        done.BankStatus!.Value.Code.ShouldBe("ACSC");
        bank.Notifications.Count(n => n == NotificationOutcome.Duplicate).ShouldBe(2);
        (await bank.Sweeps.TransitionsAsync("op-notes", CancellationToken.None)).ShouldBe(["→Pending created", "Pending→Submitted submitted", "Submitted→Completed notification"]);
        await AssertPaidOnceAsync(bank, "op-notes", 2_500);
    }

    [Fact]
    public async Task ConcurrentStartsOfOneOperation_OnePayment()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var consent = await AuthorisedConsentAsync(bank);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-race", 2_500, CancellationToken.None)));
        outcomes.Count(o => o.Kind == SweepOutcomeKind.Started).ShouldBe(1);
        outcomes.Count(o => o.Kind == SweepOutcomeKind.Exists).ShouldBe(4);
        await AssertPaidOnceAsync(bank, "op-race", 2_500);
    }

    [Fact]
    public async Task ConsentTokenRefused401_RenewedOnceWithTheRefreshToken_PaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var consent = await AuthorisedConsentAsync(bank);

        // A gateway answers the first VRP POST with 401 (as a bank does for a revoked or expired access token).
        var refused = 0;
        bank.Gateway = r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath.EndsWith("/domestic-vrps", StringComparison.Ordinal) && Interlocked.Exchange(ref refused, 1) == 0
            ? new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized)
            : null;
        var tokenCallsBefore = bank.Exchanges.Count(e => e.Uri.AbsolutePath == "/as/token");
        var started = await bank.Sweeps.StartSweepAsync(consent.ConsentId, "op-401", 2_500, CancellationToken.None);
        started.Status!.State.ShouldBe(SweepState.Submitted);
        VrpPosts(bank).Select(e => e.Status).ShouldBe([401, 201]);
        (bank.Exchanges.Count(e => e.Uri.AbsolutePath == "/as/token") - tokenCallsBefore).ShouldBe(1); // one refresh_token grant
        await AssertPaidOnceAsync(bank, "op-401", 2_500);
    }

    private static async Task<VrpConsentView> AuthorisedConsentAsync(SandboxBank bank, VrpConsentTerms? terms = null)
    {
        var setup = await bank.Sweeps.CreateConsentAsync(SandboxBank.BankName, terms ?? Terms(), "consent-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
        setup.Consent.Status.ShouldBe(VrpConsentStatus.AwaitingAuthorisation);
        return await bank.Sweeps.AuthorizeHeadlessAsync(setup, CancellationToken.None);
    }

    private static async Task<VrpConsentTokens> RefreshedTokensAsync(SandboxBank bank, string consentId)
    {
        // A second, independent authorisation is not possible (the consent is AUTH): reuse the stored refresh token
        // through the client, as a second deployment holding the same consent would.
        var store = bank.Connector!.Services.GetService(typeof(SqliteVrpSweepStore)) as SqliteVrpSweepStore;
        var stored = (await store!.GetConsentAsync(consentId, CancellationToken.None))!;
        var tokens = new VrpConsentTokens(new Auth.AccessToken("expired", DateTimeOffset.MinValue), stored.RefreshToken);
        return await bank.Clients.GetVrp(SandboxBank.BankName).RefreshAsync(tokens, CancellationToken.None);
    }

    /// <summary>Advances bank time and polls until the sweep is final (bounded rounds, no sleeping).</summary>
    private static async Task<SweepStatus> DriveAsync(SandboxBank bank, string op, int rounds = 10)
    {
        var sweep = (await bank.Sweeps.GetSweepStatusAsync(op, CancellationToken.None))!;
        for (var i = 0; i < rounds && !sweep.IsFinal; i++)
        {
            bank.AdvanceBank(TimeSpan.FromSeconds(1));
            sweep = await bank.Sweeps.AdvanceSweepAsync(op, CancellationToken.None);
        }

        return sweep;
    }

    private static async Task AssertPaidOnceAsync(SandboxBank bank, string op, long amount)
    {
        (await DriveAsync(bank, op)).State.ShouldBe(SweepState.Completed);
        (await bank.Sweeps.ResumeAsync(CancellationToken.None)).ShouldBeEmpty();
        (await bank.Sweeps.AdvanceSweepAsync(op, CancellationToken.None)).State.ShouldBe(SweepState.Completed);
        bank.AdvanceBank(TimeSpan.FromSeconds(5));
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - amount);
        bank.Balance(SandboxBank.Platform).ShouldBe(amount);
        bank.Host.PaymentCount.ShouldBe(1);
    }

    private static List<Exchange> VrpPosts(SandboxBank bank) =>
        bank.Exchanges.Where(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-vrps", StringComparison.Ordinal)).ToList();
}
