using Settlement.OpenBanking.Configuration;
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
}
