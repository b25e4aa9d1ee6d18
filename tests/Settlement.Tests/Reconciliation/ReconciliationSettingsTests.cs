using Settlement.Service.Reconciliation;
using static Settlement.Service.Tests.Reconciliation.Recon;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>Refusals of a pairing, its rules and a record: the setting named and the message.</summary>
public sealed class ReconciliationSettingsTests
{
    [Fact]
    public void Run_PairingWithoutRules_ArgumentNullExceptionNamingRules()
    {
        var pairing = new ReconciliationPairing("x", ReconciliationSource.Bank, ReconciliationSource.Ledger, null!);

        Should.Throw<ArgumentNullException>(() => Run(pairing, [], [])).ParamName.ShouldBe("Rules");
    }

    [Fact]
    public void Run_PairingWithOneUndefinedSource_Refused()
    {
        var left = new ReconciliationPairing("x", (ReconciliationSource)99, ReconciliationSource.Ledger, new ReconciliationRules());
        var right = new ReconciliationPairing("y", ReconciliationSource.Bank, (ReconciliationSource)99, new ReconciliationRules());

        var error = Should.Throw<ArgumentException>(() => Run(left, [], []));
        Should.Throw<ArgumentException>(() => Run(right, [], [])).ParamName.ShouldBe("Right");

        error.ParamName.ShouldBe("Right");
        error.Message.ShouldStartWith("Pairing 'x' must compare two different sources (was 99 vs Ledger).");
    }

    [Fact]
    public void Run_PairingWithEmptyAsset_MessageNamesThePairing()
    {
        var error = Should.Throw<ArgumentException>(() => Run(BankLedger() with { Asset = "" }, [], []));

        error.Message.ShouldStartWith("Pairing 'bank-ledger': Asset must be null or not empty.");
    }

    [Fact]
    public void Run_NegativeToleranceOrLag_MessageSaysWhatItWas()
    {
        Should.Throw<ArgumentException>(() => Run(BankLedger(new ReconciliationRules { AmountTolerance = -1 }), [], []))
            .Message.ShouldStartWith("AmountTolerance must not be negative (was -1).");
        Should.Throw<ArgumentException>(() => Run(BankLedger(new ReconciliationRules { MaxDateLag = TimeSpan.FromTicks(-1) }), [], []))
            .Message.ShouldStartWith("MaxDateLag must not be negative (was -00:00:00.0000001).");
    }

    [Fact]
    public void Run_NullOrder_ArgumentNullExceptionNamingOrder()
    {
        var rules = new ReconciliationRules { Order = null! };

        Should.Throw<ArgumentNullException>(() => Run(BankLedger(rules), [], [])).ParamName.ShouldBe("Order");
    }

    [Fact]
    public void Run_RuleTwiceOrUndefined_MessageNamesTheRule()
    {
        Should.Throw<ArgumentException>(() => Run(BankLedger(new ReconciliationRules { Order = [MatchRule.OneToMany, MatchRule.OneToMany] }), [], []))
            .Message.ShouldStartWith("Order lists OneToMany twice or it is not a rule.");
        Should.Throw<ArgumentException>(() => Run(BankLedger(new ReconciliationRules { Order = [(MatchRule)99] }), [], []))
            .Message.ShouldStartWith("Order lists 99 twice or it is not a rule.");
    }

    [Fact]
    public void Record_UndefinedSource_RefusedNamingIt()
    {
        var error = Should.Throw<ArgumentException>(() => new ReconciliationRecord((ReconciliationSource)9, "x1", null, "GBP", 1, T0, ReconciliationKind.Other));

        error.ParamName.ShouldBe("source");
        error.Message.ShouldStartWith("Undefined source 9.");
    }

    [Fact]
    public void Record_EmptyCounterparty_IsNone()
    {
        new ReconciliationRecord(ReconciliationSource.Bank, "b1", null, "GBP", 1, T0, ReconciliationKind.Other, "").Counterparty.ShouldBeNull();
        new ReconciliationRecord(ReconciliationSource.Bank, "b1", null, "GBP", 1, T0, ReconciliationKind.Other, "acme").Counterparty.ShouldBe("acme");
    }
}
