using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// <see cref="TransferService.ApplyResourceUpdateAsync"/> and <see cref="TransferService.ApplyPaymentStatusAsync"/>:
/// bad arguments, other resource types, payments no transfer knows, a known payment naming another
/// transfer's consent; each refusal with its exact text and nothing written.
/// </summary>
public sealed class TransferNotificationEdgeTests
{
    [Fact]
    public async Task ResourceUpdate_EmptyBankOrResource_ArgumentRefused_NothingSent()
    {
        using var t = new TestConnector();

        (await Should.ThrowAsync<ArgumentException>(() => t.Transfers.ApplyResourceUpdateAsync("", "pay-1", "domestic-payments", CancellationToken.None))).ParamName.ShouldBe("bank");
        (await Should.ThrowAsync<ArgumentException>(() => t.Transfers.ApplyResourceUpdateAsync("acme", "", "domestic-payments", CancellationToken.None))).ParamName.ShouldBe("resourceId");

        t.Bank.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task ResourceUpdate_OtherResourceType_StaleNothingRead()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        t.Bank.SetPaymentStatus(op.PaymentId!, "AcceptedSettlementCompleted");
        var sent = t.Bank.Requests.Count;

        (await t.Transfers.ApplyResourceUpdateAsync("acme", op.PaymentId!, "domestic-vrps", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Stale);

        t.Bank.Requests.Count.ShouldBe(sent);
        (await t.Transfers.GetAsync(op.Id, CancellationToken.None)).ShouldBe(op);
    }

    [Fact]
    public async Task ResourceUpdate_PaymentNoTransferKnows_StaleLogged()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        using var other = new TestConnector(bank: t.Bank, time: t.Time);

        (await other.Transfers.ApplyResourceUpdateAsync("acme", op.PaymentId!, "domestic-payments", CancellationToken.None)).ShouldBe(StatusUpdateOutcome.Stale);

        (await other.Transfers.ListAsync(includeFinished: true, CancellationToken.None)).ShouldBeEmpty();
        other.Logs.Lines.ShouldContain(l => l.Contains($"notification for payment {op.PaymentId} that no transfer knows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResourceUpdate_KnownPaymentNowNamingAnotherTransfersConsent_MismatchOnItsOwnTransfer()
    {
        using var t = new TestConnector();
        var a = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        var b = await t.Transfers.StartTopupAsync(new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None);
        lock (t.Bank.Payments)
        {
            t.Bank.Payments[a.PaymentId!]["Data"]!["ConsentId"] = b.ConsentId;
            t.Bank.Payments[a.PaymentId!]["Data"]!["Status"] = "AcceptedSettlementCompleted";
        }

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => t.Transfers.ApplyResourceUpdateAsync("acme", a.PaymentId!, "domestic-payments", CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.ResourceMismatch);
        ex.Message.ShouldContain("payment belongs to another consent");
        (await t.Transfers.GetAsync(a.Id, CancellationToken.None)).ShouldBe(a);
        (await t.Transfers.GetAsync(b.Id, CancellationToken.None)).ShouldBe(b);
    }

    [Fact]
    public async Task PaymentStatus_BadArgumentsUnknownTransferOrNoPaymentYet_RefusedWithTheMessage()
    {
        using var t = new TestConnector();
        var unknown = Guid.NewGuid();
        var created = (await t.Transfers.CreateAsync(TransferKind.Topup, new TransferRequest { Bank = "acme", AmountMinor = 100 }, CancellationToken.None)).Operation;

        (await Should.ThrowAsync<ArgumentException>(() => t.Transfers.ApplyPaymentStatusAsync(created.Id, "", "push", CancellationToken.None))).ParamName.ShouldBe("statusCode");
        (await Should.ThrowAsync<KeyNotFoundException>(() => t.Transfers.ApplyPaymentStatusAsync(unknown, "ACSC", "push", CancellationToken.None)))
            .Message.ShouldBe($"Transfer {unknown:N} does not exist.");
        (await Should.ThrowAsync<InvalidOperationException>(() => t.Transfers.ApplyPaymentStatusAsync(created.Id, "ACSC", "push", CancellationToken.None)))
            .Message.ShouldBe($"Transfer {created.Id:N} has no payment yet.");

        (await t.Transfers.GetAsync(created.Id, CancellationToken.None)).ShouldBe(created);
        (await t.Transfers.GetHistoryAsync(created.Id, CancellationToken.None)).Count.ShouldBe(1);
    }
}
