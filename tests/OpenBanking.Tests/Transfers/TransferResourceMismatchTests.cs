using System.Text.Json.Nodes;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// A bank that names the wrong resource is refused with <see cref="BankResponseProblem.ResourceMismatch"/> on each
/// of the transfer service's three paths, and the transfer is left exactly as it was; the consent and the payment are
/// POSTed under their own idempotency keys.
/// </summary>
public sealed class TransferResourceMismatchTests
{
    [Fact]
    public async Task Poll_PaymentNowNamesAnotherConsent_ResourceMismatch_TransferUnchanged()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        op.State.ShouldBe(TransferState.PaymentSubmitted);
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[op.PaymentId!]["Data"]!["ConsentId"] = "another-consent";
            t.Bank.Payments[op.PaymentId!]["Data"]!["Status"] = "AcceptedSettlementCompleted";
        }

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
        ex.Message.ShouldContain("payment belongs to another consent");
        await ShouldBeUnchangedAsync(t, op, errorRecorded: true);
    }

    [Fact]
    public async Task Notification_PaymentOnTheConsentOfADeclinedTransfer_ResourceMismatch_TransferUnchanged()
    {
        using var t = new TestConnector();
        t.Bank.Decision = "decline";
        var declined = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        declined.State.ShouldBe(TransferState.Rejected);
        t.Bank.Decision = "approve";
        var paid = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);

        // A payment the bank claims was made on the declined transfer's consent.
        var forged = CopyPayment(t.Bank, paid.PaymentId!, "pay-forged", declined.ConsentId!);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(
            () => t.Transfers.ApplyResourceUpdateAsync("acme", forged, "domestic-payments", CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
        ex.Message.ShouldContain("names a consent whose transfer is Rejected");
        await ShouldBeUnchangedAsync(t, declined);
        await ShouldBeUnchangedAsync(t, paid);
    }

    [Fact]
    public async Task Notification_SecondPaymentOnAConsentThatHasOne_ResourceMismatch_TransferUnchanged()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);

        var second = CopyPayment(t.Bank, op.PaymentId!, "pay-second", op.ConsentId!);
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(
            () => t.Transfers.ApplyResourceUpdateAsync("acme", second, "domestic-payments", CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
        ex.Message.ShouldContain($"already has payment {op.PaymentId}, not {second}");
        await ShouldBeUnchangedAsync(t, op);
    }

    [Fact]
    public async Task Topup_ConsentAndPaymentArePostedUnderTheirOwnIdempotencyKeys()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);

        var consentKeys = Keys(t.Bank, "/domestic-payment-consents");
        var paymentKeys = Keys(t.Bank, "/domestic-payments");
        consentKeys.ShouldBe([op.ConsentIdempotencyKey]);
        paymentKeys.ShouldBe([op.PaymentIdempotencyKey]);
        op.PaymentIdempotencyKey.ShouldNotBe(op.ConsentIdempotencyKey);
    }

    private static string[] Keys(FakeBank bank, string endpoint) =>
        bank.Requests.Where(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith(endpoint, StringComparison.Ordinal))
            .Select(r => r.Headers["x-idempotency-key"]).Distinct().ToArray();

    private static string CopyPayment(FakeBank bank, string from, string newId, string consentId)
    {
        lock (bank.Payments)
        {
            var copy = JsonNode.Parse(bank.Payments[from].ToJsonString())!.AsObject();
            copy["Data"]!["DomesticPaymentId"] = newId;
            copy["Data"]!["ConsentId"] = consentId;
            copy["Data"]!["Status"] = "AcceptedSettlementCompleted";
            bank.Payments[newId] = copy;
        }

        return newId;
    }

    /// <summary>State, payment and status as before; a poll records the error it met (one version more), a notification nothing.</summary>
    private static async Task ShouldBeUnchangedAsync(TestConnector t, TransferOperation before, bool errorRecorded = false)
    {
        var after = (await t.Transfers.GetAsync(before.Id, CancellationToken.None))!;
        after.State.ShouldBe(before.State);
        after.PaymentId.ShouldBe(before.PaymentId);
        after.PaymentStatus.ShouldBe(before.PaymentStatus);
        after.ConsentId.ShouldBe(before.ConsentId);
        if (errorRecorded)
        {
            after.Version.ShouldBe(before.Version + 1);
            after.LastError.ShouldNotBeNull().ShouldContain("ResourceMismatch");
        }
        else
        {
            after.Version.ShouldBe(before.Version);
        }
    }
}
