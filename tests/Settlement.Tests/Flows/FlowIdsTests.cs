using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Flows;

public sealed class FlowIdsTests
{
    private static readonly Guid A = Guid.Parse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");
    private static readonly Guid B = Guid.Parse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e60");

    [Fact]
    public void LedgerTransfer_SameFlowAndStep_SameIdEveryTime()
    {
        FlowIds.LedgerTransfer(A, "credit").ShouldBe(FlowIds.LedgerTransfer(A, "credit"));
    }

    [Fact]
    public void LedgerTransfer_OtherStepOrFlow_OtherIdsNeverZeroOrMax()
    {
        var ids = new[] { FlowIds.LedgerTransfer(A, "credit"), FlowIds.LedgerTransfer(A, "fund-reserve"), FlowIds.LedgerTransfer(B, "credit") };

        ids.Distinct().Count().ShouldBe(3);
        ids.ShouldAllBe(id => id != UInt128.Zero && id != UInt128.MaxValue);
    }

    [Fact]
    public void BankOperation_DeterministicPerStep_AVersion8Guid()
    {
        var id = FlowIds.BankOperation(A, "bank-topup");

        id.ShouldBe(FlowIds.BankOperation(A, "bank-topup"));
        id.ShouldNotBe(FlowIds.BankOperation(A, "bank-payout"));
        id.ShouldNotBe(FlowIds.BankOperation(B, "bank-topup"));
        id.ShouldNotBe(A);
        id.Version.ShouldBe(8);
    }

    [Fact]
    public void ChainStep_FlowIdAndStep()
    {
        FlowIds.ChainStep(A, "burn").ShouldBe("6f1c2d3e4b5a4c7d8e9f0a1b2c3d4e5f:burn");
    }

    [Fact]
    public void PayoutBatchAndFlow_DeterministicPerSlotAndMerchant()
    {
        var batch = FlowIds.PayoutBatch(638_765_000_000_000_000);

        batch.ShouldBe(FlowIds.PayoutBatch(638_765_000_000_000_000));
        batch.ShouldNotBe(FlowIds.PayoutBatch(638_765_000_000_000_001));
        FlowIds.PayoutFlow(batch, "m1").ShouldBe(FlowIds.PayoutFlow(batch, "m1"));
        FlowIds.PayoutFlow(batch, "m1").ShouldNotBe(FlowIds.PayoutFlow(batch, "m2"));
    }

    [Fact]
    public void SettlementAccounts_DeterministicGbpAccountsWithTheirCodesAndLimits()
    {
        var user = SettlementAccounts.UserFunds("alice");

        user.ShouldBe(SettlementAccounts.UserFunds("alice"));
        user.ShouldBe(new Account(user.Id, LedgerAssets.Gbp, (ushort)AccountCode.User, AccountFlags.DebitsMustNotExceedCredits));
        SettlementAccounts.UserFunds("bob").Id.ShouldNotBe(user.Id);
        var merchant = SettlementAccounts.MerchantPayable("alice");
        merchant.Id.ShouldNotBe(user.Id);
        merchant.Code.ShouldBe((ushort)AccountCode.Merchant);
        merchant.Flags.ShouldBe(AccountFlags.DebitsMustNotExceedCredits);
        SettlementAccounts.BankClearing.Code.ShouldBe((ushort)AccountCode.BankClearing);
        SettlementAccounts.StablecoinReserve.Code.ShouldBe((ushort)AccountCode.Treasury);
        SettlementAccounts.Fees.Code.ShouldBe((ushort)AccountCode.Fees);
        new[] { SettlementAccounts.BankClearing, SettlementAccounts.StablecoinReserve, SettlementAccounts.Fees }
            .ShouldAllBe(a => a.Ledger == LedgerAssets.Gbp && a.Flags == AccountFlags.None);
    }

    [Fact]
    public void SettlementAccounts_OwnDomainTag_NeverTheIndexersAccount()
    {
        SettlementAccounts.UserFunds("0x1111111111111111111111111111111111111111").Id
            .ShouldNotBe(ChainAccounts.Wallet(0, LedgerAssets.Gbp, "0x1111111111111111111111111111111111111111").Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void SettlementAccounts_EmptyKey_Throws(string key)
    {
        Should.Throw<ArgumentException>(() => SettlementAccounts.UserFunds(key));
        Should.Throw<ArgumentException>(() => SettlementAccounts.MerchantPayable(key));
    }

    [Fact]
    public void Recharge_SameConsentAndKey_SameFlow_OtherwiseAnother()
    {
        FlowIds.Recharge("consent-1", "key").ShouldBe(FlowIds.Recharge("consent-1", "key"));
        new[]
        {
            FlowIds.Recharge("consent-1", "key"), FlowIds.Recharge("consent-2", "key"), FlowIds.Recharge("consent-1", "key2"),

            // The same concatenation split differently is another flow.
            FlowIds.Recharge("ab", "c"), FlowIds.Recharge("a", "bc"),
        }.Distinct().Count().ShouldBe(5);
        FlowIds.Recharge("consent-1", "key").Version.ShouldBe(8);
    }

    [Fact]
    public void Recharge_EmptyConsentOrKey_Throws()
    {
        Should.Throw<ArgumentException>(() => FlowIds.Recharge("", "key"));
        Should.Throw<ArgumentException>(() => FlowIds.Recharge("consent", ""));
    }
}
