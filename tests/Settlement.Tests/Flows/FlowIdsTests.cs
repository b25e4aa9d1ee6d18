using System.Globalization;
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

    // Expected values from Vectors/flow-ids.py (the documented derivation in Python's hashlib, not this code).
    [Fact]
    public void LedgerTransfer_PinnedToTheDocumentedDerivation()
    {
        FlowIds.LedgerTransfer(A, "payable").ShouldBe(UInt128.Parse("1516938028161472019861235059655183006", CultureInfo.InvariantCulture));
        FlowIds.LedgerTransfer(A, "payout-post").ShouldBe(UInt128.Parse("28961280774233554741307464813583418207", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GuidIds_PinnedToTheDocumentedDerivation_Version8RfcVariant()
    {
        // Digest bytes 0..15 of the payout's bank operation: 44ca0cf8 b6f7 e79e 179c 9125322c54a0; byte 6 becomes 0x87 and byte 8 0x97.
        FlowIds.BankOperation(A, "bank-payout").ShouldBe(Guid.Parse("44ca0cf8-b6f7-879e-979c-9125322c54a0"));
        FlowIds.BankOperation(A, "bank-topup").ShouldBe(Guid.Parse("0c77006f-3ebc-8803-bbf3-f2a30f520a23"));
        FlowIds.PayoutBatch(638_765_000_000_000_000).ShouldBe(Guid.Parse("bb0cbec7-1748-84b7-80f4-6ca218826850"));
        FlowIds.PayoutFlow(A, "merchant-1").ShouldBe(Guid.Parse("0b53516f-7d78-8d5a-a17d-986e891fb043"));
        FlowIds.Recharge("consent-1", "key").ShouldBe(Guid.Parse("b7f3a1ff-b6c5-8e1d-b525-e3fe1b61c185"));
    }

    [Fact]
    public void SettlementAccounts_PinnedToTheDocumentedDerivation()
    {
        SettlementAccounts.BankClearing.Id.ShouldBe(UInt128.Parse("40901987968994591598427137685242305313", CultureInfo.InvariantCulture));
        SettlementAccounts.StablecoinReserve.Id.ShouldBe(UInt128.Parse("331926865292817518456561129798544055565", CultureInfo.InvariantCulture));
        SettlementAccounts.Fees.Id.ShouldBe(UInt128.Parse("88224093504499662391558392593609752472", CultureInfo.InvariantCulture));
        SettlementAccounts.UserFunds("alice").Id.ShouldBe(UInt128.Parse("296598098130167850517139046767957480327", CultureInfo.InvariantCulture));
        SettlementAccounts.MerchantPayable("alice").Id.ShouldBe(UInt128.Parse("69349900119688805665620457456716899931", CultureInfo.InvariantCulture));

        // The length prefix counts UTF-8 bytes (4 here), not characters (2).
        SettlementAccounts.MerchantPayable("\u00a3\u00fc").Id.ShouldBe(UInt128.Parse("69254352790436691877388903451774769070", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void StepIds_EmptyStep_Throws()
    {
        Should.Throw<ArgumentException>(() => FlowIds.ChainStep(A, "")).ParamName.ShouldBe("step");
        Should.Throw<ArgumentException>(() => FlowIds.LedgerTransfer(A, "")).ParamName.ShouldBe("text");
        Should.Throw<ArgumentException>(() => FlowIds.BankOperation(A, "")).ParamName.ShouldBe("text");
        Should.Throw<ArgumentException>(() => FlowIds.PayoutFlow(A, "")).ParamName.ShouldBe("text");
    }

    [Fact]
    public void Recharge_EmptyConsentOrKey_Throws()
    {
        Should.Throw<ArgumentException>(() => FlowIds.Recharge("", "key"));
        Should.Throw<ArgumentException>(() => FlowIds.Recharge("consent", ""));
    }
}
