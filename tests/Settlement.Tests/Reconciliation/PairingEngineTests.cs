using Settlement.Service.Reconciliation;
using static Settlement.Service.Tests.Reconciliation.Recon;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// Edges of the pairing engine that the broader <see cref="ReconcilerTests"/> leave open: tie-breaks between partners,
/// lag and tolerance boundaries, netting on the right side, the rule without a reference next to referenced records,
/// asset mismatches over several assets, and the order of matches and breaks. Expected values are worked out by hand.
/// </summary>
public sealed class PairingEngineTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    // ---- loading ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Run_NullRecordsOrANullRecord_ArgumentNullException()
    {
        Should.Throw<ArgumentNullException>(() => Reconciler.Run(BankLedger(), null!, []));
        Should.Throw<ArgumentNullException>(() => Reconciler.Run(BankLedger(), [], null!));
        Should.Throw<ArgumentNullException>(() => Reconciler.Run(BankLedger(), [FromBank("b1", "P1", 1), null!], []));
    }

    [Fact]
    public void Run_ThreeCopiesOfOneId_TwoDifferent_BreakCountsTwoCopiesWithDifferentContents()
    {
        var first = FromLedger("l1", "P1", -100);
        var second = FromLedger("l1", "P1", -100, Hour);
        var third = FromLedger("l1", "P1", -100, 2 * Hour);

        var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], [third, first, second]);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
        result.Matches[0].Right[0].ShouldBeSameAs(first);
        var duplicate = result.Breaks.ShouldHaveSingleItem();
        duplicate.Reason.ShouldBe(BreakReason.DuplicateRecord);
        duplicate.Records.ShouldBe([second, third]);
        duplicate.Detail.ShouldBe("2 more copies of Ledger record l1 with different contents; the first copy is reconciled, the rest are not counted.");
        result.Totals.RightRecords.ShouldBe(1);
        result.Totals.DuplicateCopies.ShouldBe(2);
    }

    [Fact]
    public void Run_ThreeEqualCopiesOfOneId_BreakCountsTwoCopies()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100), FromBank("b1", "P1", -100), FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100)]);

        Breaks(result).ShouldBe(["DuplicateRecord:b1,b1"]);
        result.Breaks[0].Detail.ShouldBe("2 more copies of Bank record b1; the first copy is reconciled, the rest are not counted.");
    }

    // ---- rules a and b: which partner --------------------------------------------------------------------------------

    [Fact]
    public void Run_TwoExactPartnersFirstIsCloserInTime_TakesTheFirst()
    {
        // l1 is the first right record and the closer one; l2 comes later and is further away.
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100), FromLedger("l2", "P1", -100, Hour)]);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
        Breaks(result).ShouldBe(["MissingInBank:l2"]);
    }

    [Fact]
    public void Run_TwoExactPartnersEquallyFarInTime_TakesTheFirstInCanonicalOrder()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100, Hour)], [FromLedger("l2", "P1", -100, 2 * Hour), FromLedger("l1", "P1", -100)]);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
        Breaks(result).ShouldBe(["MissingInBank:l2"]);
    }

    [Fact]
    public void Run_ToleranceRuleCloserAmountFurtherInTime_AmountDecidesBeforeTime()
    {
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day, Order = [MatchRule.ReferenceWithinTolerance] };

        var result = Run(BankLedger(rules), [FromBank("b1", "P1", -100, 10 * Hour)], [FromLedger("l1", "P1", -100), FromLedger("l2", "P1", -98, 9 * Hour)]);

        Matches(result).ShouldBe(["ReferenceWithinTolerance:b1|l1"]);
        result.Matches[0].Difference.ShouldBe(0);
        Breaks(result).ShouldBe(["MissingInBank:l2"]);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(0L)]
    public void Run_EqualDifferenceOnBothSidesOfTheAmount_CloserInTimeWins_EveryPairOrByAmount(long largeGroup)
    {
        // 102 and 98 are both 2 from 100; searched by amount, 98 (the later record, index 1) is seen first.
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day, Order = [MatchRule.ReferenceWithinTolerance] };

        var result = PairingEngine.Run(
            BankLedger(rules), [FromBank("b1", "P1", 100, 10 * Hour)], [FromLedger("l1", "P1", 102), FromLedger("l2", "P1", 98, 9 * Hour)], largeGroup);

        Matches(result).ShouldBe(["ReferenceWithinTolerance:b1|l2"]);
        result.Matches[0].Difference.ShouldBe(2);
        Breaks(result).ShouldBe(["MissingInBank:l1"]);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(0L)]
    public void Run_EqualDifferenceAndEqualLag_FirstInCanonicalOrderWins_EveryPairOrByAmount(long largeGroup)
    {
        // l1 (102, 10 h before) and l2 (98, 10 h after) tie on difference and lag; l1 is first in canonical order.
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day, Order = [MatchRule.ReferenceWithinTolerance] };

        var result = PairingEngine.Run(
            BankLedger(rules), [FromBank("b1", "P1", 100, 10 * Hour)], [FromLedger("l1", "P1", 102), FromLedger("l2", "P1", 98, 20 * Hour)], largeGroup);

        Matches(result).ShouldBe(["ReferenceWithinTolerance:b1|l1"]);
        result.Matches[0].Difference.ShouldBe(-2);
        Breaks(result).ShouldBe(["MissingInBank:l2"]);
    }

    [Fact]
    public void Run_ZeroLag_SameInstantMatches_OneTickApartDoesNot()
    {
        var rules = new ReconciliationRules { MaxDateLag = TimeSpan.Zero };

        var same = Run(BankLedger(rules), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100)]);
        var apart = Run(BankLedger(rules), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100, TimeSpan.FromTicks(1))]);

        Matches(same).ShouldBe(["ExactReference:b1|l1"]);
        apart.Matches.ShouldBeEmpty();
        Breaks(apart).ShouldBe(["DateLagExceeded:b1,l1"]);
    }

    // ---- rules c and d ---------------------------------------------------------------------------------------------

    [Fact]
    public void Run_OneToManyMemberExactlyAtTheLag_Matched()
    {
        var result = Run(BankLedger(), [FromBank("b1", "batch-7", -300)], [FromLedger("l1", "batch-7", -100), FromLedger("l2", "batch-7", -200, Day)]);

        Matches(result).ShouldBe(["OneToMany:b1|l1,l2"]);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_ManyToOneWithinTolerance_DifferenceIsLeftSumMinusRight()
    {
        // Σ left = −999,998, right = −1,000,000: the difference is +2, signed as left − right like every match.
        var pairing = new ReconciliationPairing(
            "ledger-chain", ReconciliationSource.Ledger, ReconciliationSource.Chain, new ReconciliationRules { AmountTolerance = 2, MaxDateLag = Day });

        var result = Reconciler.Run(
            pairing,
            [FromLedger("l1", "ch-1:close", -700_000, kind: ReconciliationKind.ChannelSettled, asset: "tGBP"), FromLedger("l2", "ch-1:close", -299_998, kind: ReconciliationKind.ChannelSettled, asset: "tGBP")],
            [FromChain("0xaa:3", "ch-1:close", -1_000_000, Hour, ReconciliationKind.ChannelSettled)]);

        Matches(result).ShouldBe(["ManyToOne:l1,l2|0xaa:3"]);
        result.Matches[0].Difference.ShouldBe(2);
        result.Totals.MatchesWithDifference.ShouldBe(1);
    }

    // ---- rule e: without a reference --------------------------------------------------------------------------------

    [Fact]
    public void Run_NoReferenceSevenCandidates_FiveListedAndTheRestCounted()
    {
        ReconciliationRecord[] ledger = [.. Enumerable.Range(1, 7).Select(i => FromLedger($"l{i}", null, 50, i * Hour, ReconciliationKind.Topup))];

        var result = Run(BankLedger(), [FromBank("b1", null, 50, kind: ReconciliationKind.Topup)], ledger);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["Ambiguous:b1", "Ambiguous:l1", "Ambiguous:l2", "Ambiguous:l3", "Ambiguous:l4", "Ambiguous:l5", "Ambiguous:l6", "Ambiguous:l7"]);
        result.Breaks[0].Detail.ShouldBe("Without a reference, 7 Ledger records could match Bank b1 (Topup, 50 GBP): l1, l2, l3, l4, l5 and 2 more.");
        result.Breaks[7].Detail.ShouldBe("Without a reference, the only candidate for Ledger l7, Bank b1, could match 7 Ledger records.");
    }

    [Fact]
    public void Run_NoReferenceRecordWithReferencedCandidates_ListsThemAll()
    {
        // b1 has no reference, so both referenced ledger records are its candidates (and b1 is each one's only one).
        var result = Run(
            BankLedger(),
            [FromBank("b1", null, 50, kind: ReconciliationKind.Topup)],
            [FromLedger("l1", "R1", 50, Hour, ReconciliationKind.Topup), FromLedger("l2", "R2", 50, 2 * Hour, ReconciliationKind.Topup)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["Ambiguous:b1", "Ambiguous:l1", "Ambiguous:l2"]);
        result.Breaks[0].Detail.ShouldBe("Without a reference, 2 Ledger records could match Bank b1 (Topup, 50 GBP): l1, l2.");
        result.Breaks[1].Detail.ShouldBe("Without a reference, the only candidate for Ledger l1, Bank b1, could match 2 Ledger records.");
    }

    [Fact]
    public void Run_ReferencedRecordAmbiguous_ListsOnlyCandidatesWithoutAReference()
    {
        // b1 carries R1: of the three ledger records in the window only l1 and l3 (no reference) could pair with it;
        // l2 carries another reference, is nobody's candidate and stays a plain missing record.
        var result = Run(
            BankLedger(),
            [FromBank("b1", "R1", 50, kind: ReconciliationKind.Topup)],
            [
                FromLedger("l1", null, 50, Hour, ReconciliationKind.Topup),
                FromLedger("l2", "R3", 50, 2 * Hour, ReconciliationKind.Topup),
                FromLedger("l3", null, 50, 3 * Hour, ReconciliationKind.Topup),
            ]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["Ambiguous:b1", "Ambiguous:l1", "MissingInBank:l2", "Ambiguous:l3"]);
        result.Breaks[0].Detail.ShouldBe("Without a reference, 2 Ledger records could match Bank b1 (Topup, 50 GBP): l1, l3.");
        result.Breaks[2].Detail.ShouldBe("No Bank record matches Ledger l2 (Topup, 50 GBP, reference R3).");
    }

    [Fact]
    public void Run_ReferencedRecordWhoseOnlyCandidateFollowsAReferencedOne_Matched()
    {
        // In the window of b1 (R1) the first ledger record, l1, carries another reference; l2 (none) is the candidate.
        var result = Run(
            BankLedger(),
            [FromBank("b1", "R1", 50, Hour, ReconciliationKind.Topup)],
            [FromLedger("l1", "R9", 50, kind: ReconciliationKind.Topup), FromLedger("l2", null, 50, 2 * Hour, ReconciliationKind.Topup)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l2"]);
        Breaks(result).ShouldBe(["MissingInBank:l1"]);
    }

    [Fact]
    public void Run_ReferencedRecordWithACandidateOutsideTheLag_TheOneInsideMatches()
    {
        // l0 (no reference) lies five days before b1 and is out of its window; l1 is the only candidate.
        var result = Run(
            BankLedger(),
            [FromBank("b1", "R1", 50, 5 * Day, ReconciliationKind.Topup)],
            [FromLedger("l0", null, 50, kind: ReconciliationKind.Topup), FromLedger("l1", null, 50, (5 * Day) + Hour, ReconciliationKind.Topup)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l1"]);
        Breaks(result).ShouldBe(["MissingInBank:l0"]);
    }

    [Fact]
    public void Run_LagOfTimeSpanMaxValue_NoReferenceRecordsStillMatch()
    {
        var rules = new ReconciliationRules { MaxDateLag = TimeSpan.MaxValue };

        var result = Run(BankLedger(rules), [FromBank("b1", null, 50, kind: ReconciliationKind.Topup)], [FromLedger("l1", null, 50, Hour, ReconciliationKind.Topup)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l1"]);
        result.Breaks.ShouldBeEmpty();
    }

    // ---- rule f ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Run_PayoutAndReturnOnlyInTheLedger_NettedOnTheRightSide()
    {
        ReconciliationRecord[] ledger = [FromLedger("t-1", "payout-42", -5_000), FromLedger("t-2", "payout-42", 5_000, 3 * Day, ReconciliationKind.PayoutReturn)];

        var result = Run(BankLedger(), [], ledger);

        Matches(result).ShouldBe(["NetWithinSide:|t-1,t-2"]);
        result.Matches[0].Left.ShouldBeEmpty();
        result.Matches[0].Difference.ShouldBe(0);
        result.Breaks.ShouldBeEmpty();
        result.Totals.ShouldBe(new ReconciliationTotals(0, 2, 0, 1, 0, 0, 2, 0, result.Totals.Assets));
    }

    // ---- breaks ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Run_TwoAgainstTwoEqualSumsExactlyAtTheLag_NoMatchingRule()
    {
        var result = Run(BankLedger(), [FromBank("b1", "R", -30), FromBank("b2", "R", -70)], [FromLedger("l1", "R", -50, Day), FromLedger("l2", "R", -50, Day)]);

        Breaks(result).ShouldBe(["NoMatchingRule:b1,b2,l1,l2"]);
        result.Breaks[0].Detail.ShouldBe("Reference R (2 Bank and 2 Ledger records, sums): sums and times agree, but no rule in the order pairs them.");
    }

    [Fact]
    public void Run_ReferenceInTwoAssetsOnEachSide_OneAssetMismatchInCanonicalOrderWithSums()
    {
        // Bank has P1 in GBP (b1, b3) and EUR (b2); the ledger in tGBP (l1, l3) and USD (l2). Grouped by asset the
        // records come as b1, b3, b2 and l1, l3, l2; the break lists each side in time order.
        ReconciliationRecord[] bank = [FromBank("b1", "P1", 10), FromBank("b2", "P1", 20, Hour, asset: "EUR"), FromBank("b3", "P1", 30, 2 * Hour)];
        ReconciliationRecord[] ledger =
        [
            FromLedger("l1", "P1", 1, asset: "tGBP"), FromLedger("l2", "P1", 2, Hour, asset: "USD"), FromLedger("l3", "P1", 4, 2 * Hour, asset: "tGBP"),
        ];

        var result = Run(BankLedger(), bank, ledger);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["AssetMismatch:b1,b2,b3,l1,l2,l3"]);
        result.Breaks[0].Detail.ShouldBe("Reference P1: Bank has it in EUR/GBP, Ledger in USD/tGBP; records only match within one asset.");
        result.Breaks[0].Difference.ShouldBe(53);
    }

    [Fact]
    public void Run_UnmatchedRecordWithoutReference_DetailSaysNoReference()
    {
        var result = Run(BankLedger(), [FromBank("b1", null, -100)], []);

        Breaks(result).ShouldBe(["MissingInLedger:b1"]);
        result.Breaks[0].Detail.ShouldBe("No Ledger record matches Bank b1 (Payout, -100 GBP, no reference).");
    }

    // ---- order of the result ---------------------------------------------------------------------------------------

    [Fact]
    public void Run_MatchesOfDifferentRules_OrderedByTheirEarliestRecordNotByRule()
    {
        var result = Run(
            BankLedger(),
            [FromBank("b1", null, 50, kind: ReconciliationKind.Topup), FromBank("b2", "P2", -100, Hour)],
            [FromLedger("l1", null, 50, kind: ReconciliationKind.Topup), FromLedger("l2", "P2", -100, Hour)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l1", "ExactReference:b2|l2"]);
    }

    [Fact]
    public void Run_GroupMatchSpanningAnotherMatch_OrderedByItsEarliestRecord()
    {
        // The 1:N match runs from 0 h to 10 h, the exact match sits at 2 h: the 1:N match starts first.
        var result = Run(
            BankLedger(),
            [FromBank("b1", "batch", -300, 5 * Hour), FromBank("b2", "P2", -5, 2 * Hour)],
            [FromLedger("l1", "batch", -100), FromLedger("l2", "batch", -200, 10 * Hour), FromLedger("l3", "P2", -5, 2 * Hour)]);

        Matches(result).ShouldBe(["OneToMany:b1|l1,l2", "ExactReference:b2|l3"]);
    }

    [Fact]
    public void Run_BreaksAtTheSameInstant_OrderedBySourceBeforeId()
    {
        var result = Run(BankLedger(), [FromBank("z1", "P1", -100)], [FromLedger("a1", "P2", -100)]);

        Breaks(result).ShouldBe(["MissingInLedger:z1", "MissingInBank:a1"]);
    }

    [Fact]
    public void Run_MatchesAtTheSameInstant_EarliestRecordTakenBySourceBeforeId()
    {
        // Both matches start at T0 with a bank record: ordered by the bank ids (y1 before z1), not by the ledger ids.
        var result = Run(
            BankLedger(),
            [FromBank("z1", "P1", -100), FromBank("y1", "P2", -100)],
            [FromLedger("a1", "P1", -100), FromLedger("x1", "P2", -100)]);

        Matches(result).ShouldBe(["ExactReference:y1|x1", "ExactReference:z1|a1"]);
    }
}
