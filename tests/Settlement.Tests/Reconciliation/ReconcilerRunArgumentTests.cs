using Settlement.Service.Reconciliation;
using static Settlement.Service.Tests.Reconciliation.Recon;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// The engine's entry points refusing what they cannot run (null arguments, an invalid pairing in a run, a pairing for
/// every asset of a source another pairing takes one asset of), with the exact messages, and the order of the records
/// no pairing takes.
/// </summary>
public sealed class ReconcilerRunArgumentTests
{
    [Fact]
    public void Run_NullPairing_ArgumentNullException()
    {
        Should.Throw<ArgumentNullException>(() => Reconciler.Run(null!, [], [])).ParamName.ShouldBe("pairing");
    }

    [Fact]
    public void Run_NullRecordsOrPairings_ArgumentNullExceptionNamingIt()
    {
        Should.Throw<ArgumentNullException>(() => Reconciler.Run(null!, [BankLedger()])).ParamName.ShouldBe("records");
        Should.Throw<ArgumentNullException>(() => Reconciler.Run([FromBank("b1", "P1", 1)], null!)).ParamName.ShouldBe("pairings");
    }

    [Fact]
    public void Run_NullPairingInTheList_RefusedNamingItsPosition()
    {
        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [BankLedger() with { Asset = "GBP" }, null!]));

        error.ParamName.ShouldBe("pairings");
        error.Message.ShouldBe("Pairing 1 is null. (Parameter 'pairings')");
    }

    [Fact]
    public void Run_NullRecord_ArgumentNullExceptionNamingRecords()
    {
        Should.Throw<ArgumentNullException>(() => Reconciler.Run([FromBank("b1", "P1", 1), null!], [BankLedger()])).ParamName.ShouldBe("records");
    }

    [Fact]
    public void Run_PairingComparingASourceWithItself_RefusedByItsOwnValidation()
    {
        var same = new ReconciliationPairing("same", ReconciliationSource.Bank, ReconciliationSource.Bank, new ReconciliationRules());

        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [same]));

        error.ParamName.ShouldBe("Right");
        error.Message.ShouldBe("Pairing 'same' must compare two different sources (was Bank vs Bank). (Parameter 'Right')");
    }

    [Fact]
    public void Run_InvalidRulesInARun_Refused()
    {
        var pairing = BankLedger(new ReconciliationRules { AmountTolerance = -1 });

        Should.Throw<ArgumentException>(() => Reconciler.Run([FromBank("b1", "P1", 1)], [pairing]));
    }

    [Fact]
    public void Run_PairingForEveryAssetAfterOneForAnAsset_RefusedWithoutAnAssetInTheMessage()
    {
        var gbp = BankLedger() with { Asset = "GBP" };
        // Chain (left) is nobody's: the refusal is for Bank, the source the first pairing takes GBP records of.
        var any = new ReconciliationPairing("any", ReconciliationSource.Chain, ReconciliationSource.Bank, new ReconciliationRules());

        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [gbp, any]));

        error.Message.ShouldBe("Pairing 'any' claims Bank records that another pairing already takes. (Parameter 'pairings')");
    }

    [Fact]
    public void Run_TwoPairingsForEveryAssetOfOneSource_RefusedWithoutAnAssetInTheMessage()
    {
        var one = BankLedger();
        var two = new ReconciliationPairing("two", ReconciliationSource.Chain, ReconciliationSource.Ledger, new ReconciliationRules());

        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [one, two]));

        error.Message.ShouldBe("Pairing 'two' claims Ledger records that another pairing already takes. (Parameter 'pairings')");
    }

    [Fact]
    public void Run_PairingForEveryAssetOfAnotherSource_Accepted()
    {
        var gbp = BankLedger() with { Asset = "GBP" };
        var chain = new ReconciliationPairing("chain", ReconciliationSource.Chain, ReconciliationSource.Bank, new ReconciliationRules()) { Asset = "tGBP" };

        var run = Reconciler.Run([FromBank("b1", "P1", 5), FromLedger("l1", "P1", 5)], [gbp, chain]);

        Matches(run.Pairings[0]).ShouldBe(["ExactReference:b1|l1"]);
        run.Pairings[1].Matches.ShouldBeEmpty();
    }

    [Fact]
    public void Run_UnassignedRecordsGivenLatestFirst_ListedInTimeOrder()
    {
        ReconciliationRecord[] records =
        [
            FromChain("c3", null, 3, TimeSpan.FromHours(3)),
            FromChain("c1", null, 1, TimeSpan.FromHours(1)),
            FromChain("c2", null, 2, TimeSpan.FromHours(2)),
        ];

        var run = Reconciler.Run(records, [BankLedger()]);

        run.Unassigned.Select(b => b.Records.ShouldHaveSingleItem().Id).ShouldBe(["c1", "c2", "c3"]);
        run.Unassigned.Select(b => b.Detail).ShouldBe(
        [
            "No pairing of the run takes Chain records in tGBP (c1).",
            "No pairing of the run takes Chain records in tGBP (c2).",
            "No pairing of the run takes Chain records in tGBP (c3).",
        ]);
    }
}
