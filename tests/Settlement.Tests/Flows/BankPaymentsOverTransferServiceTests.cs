using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The flows' bank payments over the connector's real <see cref="TransferService"/> (SQLite in a temp directory, the
/// open-banking tests' in-memory bank behind the HTTP client, headless authorisation): the flow's operation id is the
/// transfer's, a start advances a new transfer at once and never a finished one, a status read advances an unfinished
/// one, other parameters under the id are a conflict with nothing sent, and a rejection carries the most telling detail.
/// </summary>
public sealed class BankPaymentsOverTransferServiceTests : IDisposable
{
    private static readonly AccountIdentification Merchant = new("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant");

    private readonly TestConnector _connector = new();

    private BankPaymentsOverTransferService Payments => new(_connector.Transfers);

    private static BankTopup Topup(Guid id, long pence = 1_250) => new(id, "acme", pence, "l2pay top-up");

    public void Dispose() => _connector.Dispose();

    [Fact]
    public async Task NullArguments_ThrowNamingTheArgument()
    {
        Should.Throw<ArgumentNullException>(() => new BankPaymentsOverTransferService(null!)).ParamName.ShouldBe("transfers");
        (await Should.ThrowAsync<ArgumentNullException>(() => Payments.StartTopupAsync(null!, default))).ParamName.ShouldBe("topup");
        (await Should.ThrowAsync<ArgumentNullException>(() => Payments.StartPayoutAsync(null!, default))).ParamName.ShouldBe("payout");
        _connector.Bank.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task StartTopup_New_SubmittedAtOnceUnderTheOperationIdThenCompletedOnTheNextRead()
    {
        var id = Guid.NewGuid();

        var started = await Payments.StartTopupAsync(Topup(id), default);

        var op = (await _connector.Transfers.GetAsync(id, default))!;
        started.ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Pending, op.AuthorizationUrl));
        (op.Kind, op.State, op.Instruction.Amount.MinorUnits).ShouldBe((TransferKind.Topup, TransferState.PaymentSubmitted, 1_250L));
        _connector.Bank.PaymentsCreated.ShouldBe(1);

        _connector.Bank.SetPaymentStatus(op.PaymentId!, "AcceptedSettlementCompleted");
        (await Payments.GetStatusAsync(id, default)).ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Completed));
        (await _connector.Transfers.GetAsync(id, default))!.State.ShouldBe(TransferState.Completed);
    }

    [Fact]
    public async Task StartAgain_Finished_AnsweredFromTheStoreWithoutCallingTheBank()
    {
        var id = Guid.NewGuid();
        await Payments.StartTopupAsync(Topup(id), default);
        _connector.Bank.SetPaymentStatus((await _connector.Transfers.GetAsync(id, default))!.PaymentId!, "AcceptedSettlementCompleted");
        await Payments.GetStatusAsync(id, default);
        var requests = _connector.Bank.Requests.Count;
        var history = (await _connector.Transfers.GetHistoryAsync(id, default)).Count;

        (await Payments.StartTopupAsync(Topup(id), default)).ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Completed));
        (await Payments.GetStatusAsync(id, default)).ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Completed));

        _connector.Bank.Requests.Count.ShouldBe(requests);
        (await _connector.Transfers.GetHistoryAsync(id, default)).Count.ShouldBe(history);
    }

    [Fact]
    public async Task StartPayout_New_SubmittedToTheCreditor()
    {
        var id = Guid.NewGuid();

        var started = await Payments.StartPayoutAsync(new BankPayout(id, "acme", 900, Merchant, "l2pay payout"), default);

        var op = (await _connector.Transfers.GetAsync(id, default))!;
        started.ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Pending, op.AuthorizationUrl));
        (op.Kind, op.State, op.Instruction.Creditor).ShouldBe((TransferKind.Payout, TransferState.PaymentSubmitted, Merchant));
    }

    [Fact]
    public async Task StartTopup_OperationIdOfAnotherTransfer_ConflictAndNothingSent()
    {
        var id = Guid.NewGuid();
        await _connector.Transfers.CreateAsync(TransferKind.Topup, new TransferRequest { OperationId = id, Bank = "acme", AmountMinor = 500 }, default);

        var result = await Payments.StartTopupAsync(Topup(id, 501), default);

        result.ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Conflict, Detail: "the operation id names a transfer with other parameters"));
        _connector.Bank.Requests.ShouldBeEmpty();
        (await _connector.Transfers.GetAsync(id, default))!.State.ShouldBe(TransferState.Created);
    }

    [Fact]
    public async Task GetStatus_Unknown_ThrowsNamingTheOperation()
    {
        var id = Guid.NewGuid();

        (await Should.ThrowAsync<KeyNotFoundException>(() => Payments.GetStatusAsync(id, default))).Message.ShouldBe($"No bank transfer {id:N}.");
    }

    [Fact]
    public async Task StartTopup_CustomerDeclines_RejectedWithTheConnectorsError()
    {
        _connector.Bank.Decision = "decline";
        var id = Guid.NewGuid();

        var result = await Payments.StartTopupAsync(Topup(id), default);

        var op = (await _connector.Transfers.GetAsync(id, default))!;
        op.ConsentStatus.ShouldNotBeNull(); // the error wins over the consent's status
        result.ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Rejected, Detail: "the customer declined the consent"));
        _connector.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task StartTopup_ConsentRejectedByTheBank_RejectedWithTheConsentsStatus()
    {
        _connector.Bank.ConsentData = data => data["Status"] = "Rejected";
        var id = Guid.NewGuid();

        var result = await Payments.StartTopupAsync(Topup(id), default);

        var op = (await _connector.Transfers.GetAsync(id, default))!;
        (op.LastError, op.PaymentStatus).ShouldBe((null, null));
        result.ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Rejected, Detail: "Rejected"));
        _connector.Bank.PaymentsCreated.ShouldBe(0);
    }

    [Fact]
    public async Task GetStatus_PaymentRejectedByTheBank_RejectedWithThePaymentsStatus()
    {
        var id = Guid.NewGuid();
        await Payments.StartTopupAsync(Topup(id), default);
        _connector.Bank.SetPaymentStatus((await _connector.Transfers.GetAsync(id, default))!.PaymentId!, "RJCT");

        var result = await Payments.GetStatusAsync(id, default);

        var op = (await _connector.Transfers.GetAsync(id, default))!;
        op.ConsentStatus.ShouldNotBeNull();
        op.ConsentStatus.ShouldNotBe("RJCT"); // the payment's status wins over the consent's
        result.ShouldBe(new BankPaymentResult(id, BankPaymentStatus.Rejected, Detail: "RJCT"));
    }
}
