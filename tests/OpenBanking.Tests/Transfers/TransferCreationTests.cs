using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>What makes two requests the same transfer (a known operation id with any other parameter is a conflict) and who pays whom.</summary>
public sealed class TransferCreationTests
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");
    private static readonly AccountIdentification Other = new("UK.OBIE.SortCodeAccountNumber", "60161331926820", "Other");

    public static TheoryData<string> Differences => ["bank", "reference", "counterparty", "currency"];

    [Theory]
    [MemberData(nameof(Differences))]
    public async Task Create_SameIdOneParameterDiffers_ConflictNothingWritten(string difference)
    {
        using var t = new TestConnector(extraBanks: ["beta"]);
        var request = new TransferRequest { OperationId = Guid.NewGuid(), Bank = "acme", AmountMinor = 500, Counterparty = Customer, Reference = "INV-1" };
        var first = await t.Transfers.CreateAsync(TransferKind.Topup, request, CancellationToken.None);
        var changed = difference switch
        {
            "bank" => request with { Bank = "beta" },
            "reference" => request with { Reference = "INV-2" },
            "counterparty" => request with { Counterparty = Other },
            _ => request with { Currency = "EUR" },
        };

        var second = await t.Transfers.CreateAsync(TransferKind.Topup, changed, CancellationToken.None);

        second.Outcome.ShouldBe(TransferCreationOutcome.Conflict);
        second.Operation.ShouldBe(first.Operation);
        (await t.Transfers.GetHistoryAsync(first.Operation.Id, CancellationToken.None)).Count.ShouldBe(1);
        (await t.Transfers.FindSameRequestAsync(TransferKind.Topup, changed with { OperationId = null }, CancellationToken.None)).ShouldBeEmpty();
        (await t.Transfers.FindSameRequestAsync(TransferKind.Topup, request with { OperationId = null }, CancellationToken.None))
            .Select(o => o.Id).ShouldBe([first.Operation.Id]);
    }

    [Fact]
    public async Task Topup_CustomerPaysThePlatform_PayoutTheReverse()
    {
        using var t = new TestConnector();
        var topup = (await t.Transfers.CreateAsync(TransferKind.Topup, new TransferRequest { Bank = "acme", AmountMinor = 500, Counterparty = Customer }, CancellationToken.None)).Operation;
        var payout = (await t.Transfers.CreateAsync(TransferKind.Payout, new TransferRequest { Bank = "acme", AmountMinor = 500, Counterparty = Customer }, CancellationToken.None)).Operation;

        topup.Instruction.Debtor.ShouldBe(Customer);
        topup.Instruction.Creditor.Identification.ShouldBe("04000412345678");
        payout.Instruction.Creditor.ShouldBe(Customer);
        payout.Instruction.Debtor!.Identification.ShouldBe("04000412345678");
        topup.Instruction.InstructionIdentification.ShouldBe(topup.Id.ToString("N")[..30]);
        topup.Instruction.EndToEndIdentification.ShouldBe(topup.Id.ToString("N")[..30]);
        topup.State.ShouldBe(TransferState.Created);
        topup.Version.ShouldBe(1);
        t.Bank.Requests.ShouldNotContain(r => r.Method == "POST");
    }
}
