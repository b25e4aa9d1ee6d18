using Settlement.Service.Reconciliation;
using static Settlement.Service.Tests.Reconciliation.Recon;

namespace Settlement.Service.Tests.Reconciliation;

public sealed class ReconcilerTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    // ---- rule a: 1:1 exact by reference ----------------------------------------------------------------------------

    [Fact]
    public void Run_SameReferenceAndAmountWithinLag_ExactReferenceMatchWithoutDifference()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100, Hour)]);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
        result.Matches[0].Difference.ShouldBe(0);
        result.Matches[0].HasDifference.ShouldBeFalse();
        result.Breaks.ShouldBeEmpty();
        result.Totals.ShouldBe(result.Totals with { LeftRecords = 1, RightRecords = 1, Matches = 1, MatchedLeft = 1, MatchedRight = 1, Breaks = 0 });
    }

    [Fact]
    public void Run_ManyCandidatesUnderOneReference_TakesTheClosestInTime()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100, 10 * Hour)], [FromLedger("l1", "P1", -100), FromLedger("l2", "P1", -100, 9 * Hour)]);

        Matches(result).ShouldBe(["ExactReference:b1|l2"]);
        Breaks(result).ShouldBe(["MissingInBank:l1"]);
    }

    // ---- rule b: tolerance edges -----------------------------------------------------------------------------------

    [Fact]
    public void Run_DifferenceExactlyAtTolerance_MatchedWithTheDifference()
    {
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day };

        var result = Run(BankLedger(rules), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -95)]);

        Matches(result).ShouldBe(["ReferenceWithinTolerance:b1|l1"]);
        result.Matches[0].Difference.ShouldBe(-5);
        result.Matches[0].HasDifference.ShouldBeTrue();
        result.Totals.MatchesWithDifference.ShouldBe(1);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_DifferenceOneAboveTolerance_AmountMismatchBreakWithBothRecords()
    {
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day };

        var result = Run(BankLedger(rules), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -94)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["AmountMismatch:b1,l1"]);
        result.Breaks[0].Difference.ShouldBe(-6);
        result.Breaks[0].Detail.ShouldBe("Reference P1: Bank -100 vs Ledger -94 GBP, difference -6 is more than the tolerance 5.");
    }

    [Fact]
    public void Run_ZeroTolerance_OnePennyApartIsAmountMismatch()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -99)]);

        Breaks(result).ShouldBe(["AmountMismatch:b1,l1"]);
        result.Breaks[0].Difference.ShouldBe(-1);
    }

    [Fact]
    public void Run_ToleranceRule_TakesTheClosestAmount()
    {
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day, Order = [MatchRule.ReferenceWithinTolerance] };

        var result = Run(BankLedger(rules), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -97), FromLedger("l2", "P1", -99, Hour)]);

        Matches(result).ShouldBe(["ReferenceWithinTolerance:b1|l2"]);
        result.Matches[0].Difference.ShouldBe(-1);
        Breaks(result).ShouldBe(["MissingInBank:l1"]);
    }

    // ---- date lag edges --------------------------------------------------------------------------------------------

    [Fact]
    public void Run_ExactlyAtMaxDateLag_Matches()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100, Day)]);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
    }

    [Fact]
    public void Run_OneTickBeyondMaxDateLag_DateLagExceededBreak()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100, Day + TimeSpan.FromTicks(1))], [FromLedger("l1", "P1", -100)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["DateLagExceeded:b1,l1"]);
        result.Breaks[0].Difference.ShouldBe(0);
        result.Breaks[0].Detail.ShouldBe(
            "Reference P1: amounts agree within the tolerance 0 but the records are 1.00:00:00.0000001 apart, more than the lag 1.00:00:00.");
    }

    [Fact]
    public void Run_AmountAndLagBothWrong_AmountMismatchComesFirst()
    {
        var result = Run(BankLedger(), [FromBank("b1", "P1", -100, 3 * Day)], [FromLedger("l1", "P1", -90)]);

        Breaks(result).ShouldBe(["AmountMismatch:b1,l1"]);
    }

    // ---- rules c and d: 1:N and N:1 --------------------------------------------------------------------------------

    [Fact]
    public void Run_OneBankPaymentForThreeLedgerPayouts_OneToManyMatch()
    {
        var result = Run(
            BankLedger(),
            [FromBank("b1", "batch-7", -300, 2 * Hour)],
            [FromLedger("l1", "batch-7", -100), FromLedger("l2", "batch-7", -120, Hour), FromLedger("l3", "batch-7", -80, 3 * Hour)]);

        Matches(result).ShouldBe(["OneToMany:b1|l1,l2,l3"]);
        result.Matches[0].Difference.ShouldBe(0);
        result.Breaks.ShouldBeEmpty();
        result.Totals.MatchedRight.ShouldBe(3);
    }

    [Fact]
    public void Run_OneToManySumWithinTolerance_MatchedWithDifference()
    {
        var rules = new ReconciliationRules { AmountTolerance = 2, MaxDateLag = Day };

        var result = Run(BankLedger(rules), [FromBank("b1", "batch-7", -300)], [FromLedger("l1", "batch-7", -100), FromLedger("l2", "batch-7", -198)]);

        Matches(result).ShouldBe(["OneToMany:b1|l1,l2"]);
        result.Matches[0].Difference.ShouldBe(-2);
    }

    [Fact]
    public void Run_OneToManySumOutsideTolerance_AmountMismatchOfTheWholeGroup()
    {
        var rules = new ReconciliationRules { AmountTolerance = 2, MaxDateLag = Day };

        var result = Run(BankLedger(rules), [FromBank("b1", "batch-7", -300)], [FromLedger("l1", "batch-7", -100), FromLedger("l2", "batch-7", -197)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["AmountMismatch:b1,l1,l2"]);
        result.Breaks[0].Difference.ShouldBe(-3);
        result.Breaks[0].Detail.ShouldBe(
            "Reference batch-7 (1 Bank and 2 Ledger records, sums): Bank -300 vs Ledger -297 GBP, difference -3 is more than the tolerance 2.");
    }

    [Fact]
    public void Run_OneToManyMemberBeyondLag_DateLagExceeded()
    {
        var result = Run(BankLedger(), [FromBank("b1", "batch-7", -300)], [FromLedger("l1", "batch-7", -100), FromLedger("l2", "batch-7", -200, 2 * Day)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["DateLagExceeded:b1,l1,l2"]);
    }

    [Fact]
    public void Run_ChainSettlementPaidToPayeeAndPayer_ManyToOneWhenTheSingleRecordIsOnTheRight()
    {
        // Ledger on the left here: two ledger transfers (payee payout, payer refund) against one chain event.
        var pairing = new ReconciliationPairing("ledger-chain", ReconciliationSource.Ledger, ReconciliationSource.Chain, new ReconciliationRules { MaxDateLag = Day });

        var result = Reconciler.Run(
            pairing,
            [FromLedger("l1", "ch-1:close", -700_000, kind: ReconciliationKind.ChannelSettled, asset: "tGBP"), FromLedger("l2", "ch-1:close", -300_000, kind: ReconciliationKind.ChannelSettled, asset: "tGBP")],
            [FromChain("0xaa:3", "ch-1:close", -1_000_000, Hour, ReconciliationKind.ChannelSettled)]);

        Matches(result).ShouldBe(["ManyToOne:l1,l2|0xaa:3"]);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_TwoAgainstTwoWithEqualSums_NoMatchingRuleBreak()
    {
        var result = Run(BankLedger(), [FromBank("b1", "R", -30), FromBank("b2", "R", -70)], [FromLedger("l1", "R", -50), FromLedger("l2", "R", -50)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["NoMatchingRule:b1,b2,l1,l2"]);
        result.Breaks[0].Difference.ShouldBe(0);
    }

    [Fact]
    public void Run_LargeGroupUnderOneReference_EveryAmountFindsItsPartner()
    {
        // 40 × 40 records under one channel reference: above the pair count where rules a and b search by amount.
        var bank = Enumerable.Range(1, 40).Select(i => FromBank($"b{i:D2}", "ch-1", i * 10, TimeSpan.FromMinutes(i))).ToArray();
        var ledger = Enumerable.Range(1, 40).Select(i => FromLedger($"l{i:D2}", "ch-1", (41 - i) * 10, TimeSpan.FromMinutes(41 - i))).ToArray();

        var result = Run(BankLedger(), bank, ledger);

        result.Breaks.ShouldBeEmpty();
        Matches(result).ShouldBe(Enumerable.Range(1, 40).Select(i => $"ExactReference:b{i:D2}|l{41 - i:D2}"));
    }

    // ---- rule e: without a reference --------------------------------------------------------------------------------

    [Fact]
    public void Run_NoReferenceOneCandidate_AmountWithoutReferenceMatch()
    {
        var result = Run(BankLedger(), [FromBank("b1", null, 250, kind: ReconciliationKind.Topup)], [FromLedger("l1", "topup-9", 250, Hour, ReconciliationKind.Topup)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l1"]);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_NoReferenceDifferentKind_NotMatched()
    {
        var result = Run(BankLedger(), [FromBank("b1", null, 250, kind: ReconciliationKind.Topup)], [FromLedger("l1", null, 250, kind: ReconciliationKind.PayoutReturn)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["MissingInLedger:b1", "MissingInBank:l1"]);
    }

    [Fact]
    public void Run_TwoDifferentReferencesSameAmount_NeverMatchedByAmount()
    {
        var result = Run(BankLedger(), [FromBank("b1", "R1", -100)], [FromLedger("l1", "R2", -100)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["MissingInLedger:b1", "MissingInBank:l1"]);
        result.Breaks[0].Detail.ShouldBe("No Ledger record matches Bank b1 (Payout, -100 GBP, reference R1).");
    }

    [Fact]
    public void Run_NoReferenceTwoCandidates_AmbiguousBreaksNotAGuess()
    {
        var result = Run(
            BankLedger(),
            [FromBank("b1", null, 50, kind: ReconciliationKind.Topup)],
            [FromLedger("l1", null, 50, Hour, ReconciliationKind.Topup), FromLedger("l2", null, 50, 2 * Hour, ReconciliationKind.Topup)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["Ambiguous:b1", "Ambiguous:l1", "Ambiguous:l2"]);
        result.Breaks[0].Detail.ShouldBe("Without a reference, 2 Ledger records could match Bank b1 (Topup, 50 GBP): l1, l2.");
        result.Breaks[1].Detail.ShouldBe("Without a reference, the only candidate for Ledger l1, Bank b1, could match 2 Ledger records.");
    }

    [Fact]
    public void Run_NoReferenceCandidateContestedFromBothEnds_AllAmbiguous()
    {
        // l1 lies within a day of both b1 and b2; b1 and b2 each have only l1.
        var result = Run(
            BankLedger(),
            [FromBank("b1", null, 50, kind: ReconciliationKind.Topup), FromBank("b2", null, 50, 2 * Day, ReconciliationKind.Topup)],
            [FromLedger("l1", null, 50, Day, ReconciliationKind.Topup)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["Ambiguous:b1", "Ambiguous:l1", "Ambiguous:b2"]);
    }

    [Fact]
    public void Run_NoReferenceSameAmountsFarApartInTime_EachPairUnambiguous()
    {
        var result = Run(
            BankLedger(),
            [FromBank("b1", null, 50, kind: ReconciliationKind.Topup), FromBank("b2", null, 50, 5 * Day, ReconciliationKind.Topup)],
            [FromLedger("l2", null, 50, 5 * Day + Hour, ReconciliationKind.Topup), FromLedger("l1", null, 50, Hour, ReconciliationKind.Topup)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l1", "AmountWithoutReference:b2|l2"]);
        result.Breaks.ShouldBeEmpty();
    }

    // ---- priority order ---------------------------------------------------------------------------------------------

    [Fact]
    public void Run_RecordMatchableByReferenceAndByAmount_ReferenceRuleWins()
    {
        // b1 could pair with l1 (same reference) or with l2 (no reference, same amount and kind).
        ReconciliationRecord[] bank = [FromBank("b1", "P1", -100, Hour)];
        ReconciliationRecord[] ledger = [FromLedger("l1", "P1", -100, 2 * Hour), FromLedger("l2", null, -100, Hour)];

        var result = Run(BankLedger(), bank, ledger);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
        Breaks(result).ShouldBe(["MissingInBank:l2"]);
    }

    [Fact]
    public void Run_AmountRuleOrderedFirst_TheOrderDecides()
    {
        ReconciliationRecord[] bank = [FromBank("b1", "P1", -100, Hour)];
        ReconciliationRecord[] ledger = [FromLedger("l1", "P1", -100, 2 * Hour), FromLedger("l2", null, -100, Hour)];
        var rules = new ReconciliationRules { MaxDateLag = Day, Order = [MatchRule.AmountWithoutReference, MatchRule.ExactReference] };

        var result = Run(BankLedger(rules), bank, ledger);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l2"]);
        Breaks(result).ShouldBe(["MissingInBank:l1"]);
    }

    [Fact]
    public void Run_ExactBeforeTolerance_ExactPartnerTakenThoughTheOtherIsEarlier()
    {
        var rules = new ReconciliationRules { AmountTolerance = 5, MaxDateLag = Day };

        var result = Run(BankLedger(rules), [FromBank("b1", "P1", -100, Hour)], [FromLedger("l1", "P1", -98, Hour), FromLedger("l2", "P1", -100, 5 * Hour)]);

        Matches(result).ShouldBe(["ExactReference:b1|l2"]);
        Breaks(result).ShouldBe(["MissingInBank:l1"]);
    }

    [Fact]
    public void Run_EmptyRuleOrder_EverythingIsABreak()
    {
        var rules = new ReconciliationRules { Order = [] };

        var result = Run(BankLedger(rules), [FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100)]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["NoMatchingRule:b1,l1"]);
    }

    // ---- duplicates and out-of-order input -------------------------------------------------------------------------

    [Fact]
    public void Run_SameBankRecordTwice_DuplicateBreakAndCountedOnce()
    {
        var b1 = FromBank("b1", "P1", -100);

        var result = Run(BankLedger(), [b1, FromBank("b1", "P1", -100)], [FromLedger("l1", "P1", -100)]);

        Matches(result).ShouldBe(["ExactReference:b1|l1"]);
        Breaks(result).ShouldBe(["DuplicateRecord:b1"]);
        result.Breaks[0].Detail.ShouldBe("1 more copy of Bank record b1; the first copy is reconciled, the rest are not counted.");
        result.Totals.LeftRecords.ShouldBe(1);
        result.Totals.DuplicateCopies.ShouldBe(1);
        result.Totals.Assets.ShouldHaveSingleItem().ShouldBe(new AssetTotals("GBP", -100, -100, 0, 0));
    }

    [Fact]
    public void Run_DuplicateIdsWithDifferentContents_SameCopyKeptInAnyOrder()
    {
        var early = FromLedger("l1", "P1", -100);
        var late = FromLedger("l1", "P1", -100, 3 * Day);

        var one = Run(BankLedger(), [FromBank("b1", "P1", -100)], [late, early]);
        var other = Run(BankLedger(), [FromBank("b1", "P1", -100)], [early, late]);

        foreach (var result in new[] { one, other })
        {
            result.Matches.ShouldHaveSingleItem().Right.ShouldBe([early]);
            result.Breaks.ShouldHaveSingleItem().Records.ShouldBe([late]);
            result.Breaks[0].Reason.ShouldBe(BreakReason.DuplicateRecord);
            result.Breaks[0].Detail.ShouldBe("1 more copy of Ledger record l1 with different contents; the first copy is reconciled, the rest are not counted.");
        }
    }

    [Fact]
    public void Run_InputReversed_SameMatchesAndBreaksInTheSameOrder()
    {
        ReconciliationRecord[] bank = [FromBank("b1", "P1", -100), FromBank("b2", null, 50, Hour, ReconciliationKind.Topup), FromBank("b3", "P3", -10, 2 * Hour)];
        ReconciliationRecord[] ledger = [FromLedger("l1", "P1", -100, Hour), FromLedger("l2", null, 50, Hour, ReconciliationKind.Topup), FromLedger("l9", "P9", -1)];

        var forward = Run(BankLedger(), bank, ledger);
        var backward = Run(BankLedger(), [.. bank.Reverse()], [.. ledger.Reverse()]);

        Matches(backward).ShouldBe(Matches(forward));
        Breaks(backward).ShouldBe(Breaks(forward));
        Matches(forward).ShouldBe(["ExactReference:b1|l1", "AmountWithoutReference:b2|l2"]);
        Breaks(forward).ShouldBe(["MissingInBank:l9", "MissingInLedger:b3"]);
    }

    // ---- a payout that completes and is later returned --------------------------------------------------------------

    [Fact]
    public void Run_PayoutCompletedThenReturned_BothSidesHaveBoth_AllMatchedNoBreaks()
    {
        ReconciliationRecord[] bank = [FromBank("pay-1", "payout-42", -5_000), FromBank("ret-1", "payout-42", 5_000, 3 * Day, ReconciliationKind.PayoutReturn)];
        ReconciliationRecord[] ledger = [FromLedger("t-1", "payout-42", -5_000, Hour), FromLedger("t-2", "payout-42", 5_000, 3 * Day + Hour, ReconciliationKind.PayoutReturn)];

        var result = Run(BankLedger(), bank, ledger);

        Matches(result).ShouldBe(["ExactReference:pay-1|t-1", "ExactReference:ret-1|t-2"]);
        result.Breaks.ShouldBeEmpty();
        result.Totals.Assets.ShouldHaveSingleItem().ShouldBe(new AssetTotals("GBP", 0, 0, 0, 0));
    }

    [Fact]
    public void Run_PayoutReturnedButLedgerLacksTheReversal_BreakNamesTheReturn()
    {
        ReconciliationRecord[] bank = [FromBank("pay-1", "payout-42", -5_000), FromBank("ret-1", "payout-42", 5_000, 3 * Day, ReconciliationKind.PayoutReturn)];
        ReconciliationRecord[] ledger = [FromLedger("t-1", "payout-42", -5_000, Hour)];

        var result = Run(BankLedger(), bank, ledger);

        Matches(result).ShouldBe(["ExactReference:pay-1|t-1"]);
        var single = result.Breaks.ShouldHaveSingleItem();
        single.Reason.ShouldBe(BreakReason.MissingInLedger);
        single.Records.ShouldBe([bank[1]]);
        single.Detail.ShouldBe("No Ledger record matches Bank ret-1 (PayoutReturn, 5000 GBP, reference payout-42).");
        result.Totals.Assets.ShouldHaveSingleItem().ShouldBe(new AssetTotals("GBP", -5_000, -5_000, 5_000, 0));
    }

    [Fact]
    public void Run_PayoutAndReturnOnlyAtTheBank_NettedWithinSideNoBreak()
    {
        ReconciliationRecord[] bank = [FromBank("pay-1", "payout-42", -5_000), FromBank("ret-1", "payout-42", 5_000, 3 * Day, ReconciliationKind.PayoutReturn)];

        var result = Run(BankLedger(), bank, []);

        Matches(result).ShouldBe(["NetWithinSide:pay-1,ret-1|"]);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_PaymentAndReturnAtTheBankButLedgerPayoutDiffers_NotNettedAwayButOneMismatch()
    {
        // The bank's pair sums to zero, but the ledger still holds an unmatched payout under the reference: netting
        // would hide that, so the whole group is one break.
        ReconciliationRecord[] bank = [FromBank("pay-1", "payout-42", -5_000), FromBank("ret-1", "payout-42", 5_000, 3 * Day, ReconciliationKind.PayoutReturn)];
        ReconciliationRecord[] ledger = [FromLedger("t-1", "payout-42", -4_000, Hour)];

        var result = Run(BankLedger(), bank, ledger);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["AmountMismatch:pay-1,ret-1,t-1"]);
        result.Breaks[0].Difference.ShouldBe(4_000);
    }

    // ---- a reorged settlement event --------------------------------------------------------------------------------

    [Fact]
    public void Run_ReorgedEventReversedOnChainAndInLedger_AllMatched()
    {
        ReconciliationRecord[] chain = [FromChain("0xa1:0", "ch-5:fund", 2_000_000), FromChain("0xa1:0!reorg", "ch-5:fund", -2_000_000, Hour, ReconciliationKind.Reversal)];
        ReconciliationRecord[] ledger =
        [
            FromLedger("lt-1", "ch-5:fund", 2_000_000, kind: ReconciliationKind.ChannelFunded, asset: "tGBP"),
            FromLedger("lt-2", "ch-5:fund", -2_000_000, Hour, ReconciliationKind.Reversal, "tGBP"),
        ];

        var result = Reconciler.Run(ChainLedger(), chain, ledger);

        Matches(result).ShouldBe(["ExactReference:0xa1:0|lt-1", "ExactReference:0xa1:0!reorg|lt-2"]);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_ReorgedEventButLedgerKeptOnlyTheOriginal_BreakNamesTheReversal()
    {
        ReconciliationRecord[] chain = [FromChain("0xa1:0", "ch-5:fund", 2_000_000), FromChain("0xa1:0!reorg", "ch-5:fund", -2_000_000, Hour, ReconciliationKind.Reversal)];
        ReconciliationRecord[] ledger = [FromLedger("lt-1", "ch-5:fund", 2_000_000, kind: ReconciliationKind.ChannelFunded, asset: "tGBP")];

        var result = Reconciler.Run(ChainLedger(), chain, ledger);

        Matches(result).ShouldBe(["ExactReference:0xa1:0|lt-1"]);
        Breaks(result).ShouldBe(["MissingInLedger:0xa1:0!reorg"]);
    }

    [Fact]
    public void Run_ReorgedEventTheLedgerNeverBooked_NettedOnChain_OrTwoBreaksWithoutNetting()
    {
        ReconciliationRecord[] chain = [FromChain("0xa1:0", "ch-5:fund", 2_000_000), FromChain("0xa1:0!reorg", "ch-5:fund", -2_000_000, Hour, ReconciliationKind.Reversal)];

        var netted = Reconciler.Run(ChainLedger(), chain, []);
        var strict = Reconciler.Run(
            ChainLedger(new ReconciliationRules { MaxDateLag = Day, Order = [.. ReconciliationRules.DefaultOrder.Where(r => r != MatchRule.NetWithinSide)] }),
            chain,
            []);

        Matches(netted).ShouldBe(["NetWithinSide:0xa1:0,0xa1:0!reorg|"]);
        netted.Breaks.ShouldBeEmpty();
        strict.Matches.ShouldBeEmpty();
        Breaks(strict).ShouldBe(["MissingInLedger:0xa1:0", "MissingInLedger:0xa1:0!reorg"]);
    }

    [Fact]
    public void Run_LedgerTransferWithoutChainEvent_MissingOnChain()
    {
        var result = Reconciler.Run(ChainLedger(), [], [FromLedger("lt-1", "ch-5:fund", 2_000_000, kind: ReconciliationKind.ChannelFunded, asset: "tGBP")]);

        Breaks(result).ShouldBe(["MissingOnChain:lt-1"]);
    }

    // ---- assets ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Run_SameReferenceInDifferentAssets_AssetMismatchBreak()
    {
        var pairing = BankLedger();

        var result = Run(pairing, [FromBank("b1", "P1", 100)], [FromLedger("l1", "P1", 1_000_000, asset: "tGBP")]);

        result.Matches.ShouldBeEmpty();
        Breaks(result).ShouldBe(["AssetMismatch:b1,l1"]);
        result.Breaks[0].Detail.ShouldBe("Reference P1: Bank has it in GBP, Ledger in tGBP; records only match within one asset.");
    }

    [Fact]
    public void Run_NoReferenceSameAmountOtherAsset_NotMatched()
    {
        var result = Run(BankLedger(), [FromBank("b1", null, 100)], [FromLedger("l1", null, 100, asset: "EUR")]);

        Breaks(result).ShouldBe(["MissingInLedger:b1", "MissingInBank:l1"]);
    }

    // ---- multi-pairing run and validation --------------------------------------------------------------------------

    [Fact]
    public void Run_SeveralPairings_RoutesBySourceAndAssetAndReportsTheRest()
    {
        var gbp = BankLedger() with { Asset = "GBP" };
        var tgbp = ChainLedger() with { Asset = "tGBP" };
        ReconciliationRecord[] records =
        [
            FromChain("0xa1:0", "topup-1", 1_000_000, Hour),
            FromLedger("lg-1", "topup-1", 100, kind: ReconciliationKind.Topup),
            FromBank("b1", "topup-1", 100, kind: ReconciliationKind.Topup),
            FromLedger("lt-1", "topup-1", 1_000_000, Hour, ReconciliationKind.ChannelFunded, "tGBP"),
            FromBank("b-eur", "x", 5, asset: "EUR"),
        ];

        var run = Reconciler.Run(records, [gbp, tgbp]);

        run.Pairings.Count.ShouldBe(2);
        Matches(run.Pairings[0]).ShouldBe(["ExactReference:b1|lg-1"]);
        Matches(run.Pairings[1]).ShouldBe(["ExactReference:0xa1:0|lt-1"]);
        run.Unassigned.ShouldHaveSingleItem().Reason.ShouldBe(BreakReason.NotInAnyPairing);
        run.Unassigned[0].Records.ShouldBe([records[4]]);
    }

    [Fact]
    public void Run_TwoPairingsClaimingLedgerRecordsOfOneAsset_Refused()
    {
        var one = BankLedger() with { Asset = "GBP" };
        var two = ChainLedger() with { Name = "other", Asset = "GBP" };

        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [one, two]));

        error.ParamName.ShouldBe("pairings");
        error.Message.ShouldContain("Pairing 'other' claims Ledger records in GBP that another pairing already takes.");
    }

    [Fact]
    public void Run_PairingForEveryAssetBesideOneForAnAsset_Refused()
    {
        var any = BankLedger();
        var gbp = ChainLedger() with { Asset = "GBP" };

        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [any, gbp]));

        error.Message.ShouldContain("Pairing 'chain-ledger' claims Ledger records in GBP that another pairing already takes.");
    }

    [Fact]
    public void Run_PairingWithoutAsset_TakesEveryAssetOfItsSources()
    {
        ReconciliationRecord[] records = [FromBank("b1", "P1", 5), FromLedger("l1", "P1", 5), FromBank("b2", "P2", 7, asset: "EUR"), FromLedger("l2", "P2", 7, asset: "EUR")];

        var run = Reconciler.Run(records, [BankLedger()]);

        Matches(run.Pairings[0]).ShouldBe(["ExactReference:b1|l1", "ExactReference:b2|l2"]);
        run.Pairings[0].Totals.Assets.Select(a => a.Asset).ShouldBe(["EUR", "GBP"]);
        run.Unassigned.ShouldBeEmpty();
    }

    [Fact]
    public void Run_TwoPairingsWithOneName_Refused()
    {
        var error = Should.Throw<ArgumentException>(() => Reconciler.Run([], [BankLedger() with { Asset = "GBP" }, ChainLedger() with { Name = "bank-ledger", Asset = "tGBP" }]));

        error.Message.ShouldContain("Two pairings are named 'bank-ledger'.");
    }

    [Fact]
    public void Run_NegativeTolerance_RefusedNamingTheSetting()
    {
        var error = Should.Throw<ArgumentException>(() => Run(BankLedger(new ReconciliationRules { AmountTolerance = -1 }), [], []));

        error.ParamName.ShouldBe("AmountTolerance");
    }

    [Fact]
    public void Run_NegativeLag_RefusedNamingTheSetting()
    {
        var error = Should.Throw<ArgumentException>(() => Run(BankLedger(new ReconciliationRules { MaxDateLag = TimeSpan.FromTicks(-1) }), [], []));

        error.ParamName.ShouldBe("MaxDateLag");
    }

    [Fact]
    public void Run_RuleListedTwice_Refused()
    {
        var rules = new ReconciliationRules { Order = [MatchRule.ExactReference, MatchRule.ExactReference] };

        var error = Should.Throw<ArgumentException>(() => Run(BankLedger(rules), [], []));

        error.ParamName.ShouldBe("Order");
    }

    [Fact]
    public void Run_PairingOfOneSourceWithItself_Refused()
    {
        var pairing = new ReconciliationPairing("x", ReconciliationSource.Bank, ReconciliationSource.Bank, new ReconciliationRules());

        Should.Throw<ArgumentException>(() => Run(pairing, [], [])).ParamName.ShouldBe("Right");
    }

    [Fact]
    public void Run_RecordOfAnotherSourceOnASide_Refused()
    {
        var error = Should.Throw<ArgumentException>(() => Run(BankLedger(), [FromLedger("l1", "P1", 1)], []));

        error.Message.ShouldContain("record Ledger l1 (GBP) does not belong to its Bank side");
    }

    [Fact]
    public void Run_RecordOfAnotherAssetForAPairingOfOneAsset_Refused()
    {
        var pairing = BankLedger() with { Asset = "GBP" };

        var error = Should.Throw<ArgumentException>(() => Run(pairing, [], [FromLedger("l1", "P1", 1, asset: "tGBP")]));

        error.Message.ShouldContain("record Ledger l1 (tGBP) does not belong to its Ledger side");
    }

    [Fact]
    public void Run_PairingWithEmptyAssetOrName_Refused()
    {
        Should.Throw<ArgumentException>(() => Run(BankLedger() with { Asset = "" }, [], [])).ParamName.ShouldBe("Asset");
        Should.Throw<ArgumentException>(() => Run(BankLedger() with { Name = "" }, [], [])).ParamName.ShouldBe("Name");
    }

    [Fact]
    public void Run_SameInputTwice_EqualResultsAndInputUntouched()
    {
        ReconciliationRecord[] bank = [FromBank("b2", "P2", -7, Hour), FromBank("b1", "P1", -5)];
        ReconciliationRecord[] ledger = [FromLedger("l1", "P1", -5)];
        ReconciliationRecord[] bankBefore = [.. bank];

        var first = Run(BankLedger(), bank, ledger);
        var second = Run(BankLedger(), bank, ledger);

        bank.ShouldBe(bankBefore);
        Matches(second).ShouldBe(Matches(first));
        Breaks(second).ShouldBe(Breaks(first));
        Breaks(first).ShouldBe(["MissingInLedger:b2"]);
    }

    [Fact]
    public void Record_EmptyIdOrAsset_Refused_EmptyReferenceIsNone()
    {
        Should.Throw<ArgumentException>(() => FromBank("", "P1", 1));
        Should.Throw<ArgumentException>(() => FromBank("b1", "P1", 1, asset: ""));
        FromBank("b1", "", 1).Reference.ShouldBeNull();
    }

    [Fact]
    public void Run_EveryRecordInExactlyOneMatchOrBreak_Totals()
    {
        var rules = new ReconciliationRules { AmountTolerance = 1, MaxDateLag = Day };
        ReconciliationRecord[] bank =
        [
            FromBank("b1", "P1", -100), FromBank("b2", "P2", -101), FromBank("b3", "B", -300), FromBank("b4", null, 9, kind: ReconciliationKind.Topup),
            FromBank("b5", "X", 1), FromBank("b1", "P1", -100),
        ];
        ReconciliationRecord[] ledger = [FromLedger("l1", "P1", -100), FromLedger("l2", "P2", -100), FromLedger("l3", "B", -100), FromLedger("l4", "B", -200), FromLedger("l5", "Y", 2)];

        var result = Run(BankLedger(rules), bank, ledger);

        result.Totals.ShouldBe(new ReconciliationTotals(5, 5, 1, 3, 1, 3, 4, 4, result.Totals.Assets));
        result.Totals.Assets.ShouldHaveSingleItem().ShouldBe(new AssetTotals("GBP", -501, -500, 10, 2));
        Breaks(result).ShouldBe(["DuplicateRecord:b1", "MissingInLedger:b4", "MissingInLedger:b5", "MissingInBank:l5"]);
    }
}
