using Settlement.Service.Reconciliation;
using static Settlement.Service.Tests.Reconciliation.Recon;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// <see cref="RecordOrder"/>: nulls in the canonical comparer, and which copy of a duplicate is kept when the copies
/// differ in one field only (the kept copy must not depend on the input order).
/// </summary>
public sealed class RecordOrderTests
{
    [Fact]
    public void CompareCanonical_Nulls_NullFirstAndEqualToItself()
    {
        var record = FromBank("b1", "P1", 1);

        RecordOrder.CompareCanonical(null, null).ShouldBe(0);
        RecordOrder.CompareCanonical(null, record).ShouldBe(-1);
        RecordOrder.CompareCanonical(record, null).ShouldBe(1);
        RecordOrder.CompareCanonical(record, record).ShouldBe(0);
        RecordOrder.CompareContent(null, record).ShouldBe(-1);
        RecordOrder.CompareContent(record, null).ShouldBe(1);
    }

    [Fact]
    public void CompareCanonical_SameInstant_SourceBeforeId()
    {
        RecordOrder.CompareCanonical(FromBank("z1", null, 1), FromLedger("a1", null, 1)).ShouldBeLessThan(0);
        RecordOrder.CompareCanonical(FromLedger("a1", null, 1), FromBank("z1", null, 1)).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Run_CopiesDifferingOnlyInAsset_OrdinalFirstAssetKeptInEitherOrder()
    {
        var eur = FromLedger("l1", "P1", -100, asset: "EUR");
        var gbp = FromLedger("l1", "P1", -100, asset: "GBP");

        foreach (var ledger in new[] { new[] { gbp, eur }, [eur, gbp] })
        {
            var result = Run(BankLedger(), [FromBank("b1", "P1", -100, asset: "EUR")], ledger);

            Matches(result).ShouldBe(["ExactReference:b1|l1"]);
            result.Matches[0].Right[0].ShouldBeSameAs(eur);
            result.Breaks.ShouldHaveSingleItem().Records.ShouldHaveSingleItem().ShouldBeSameAs(gbp);
        }
    }

    [Fact]
    public void Run_CopiesDifferingOnlyInCounterparty_OrdinalFirstKeptInEitherOrder()
    {
        var acme = new ReconciliationRecord(ReconciliationSource.Ledger, "l1", "P1", "GBP", -100, T0, ReconciliationKind.Payout, "acme");
        var zeta = new ReconciliationRecord(ReconciliationSource.Ledger, "l1", "P1", "GBP", -100, T0, ReconciliationKind.Payout, "zeta");

        foreach (var ledger in new[] { new[] { zeta, acme }, [acme, zeta] })
        {
            var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], ledger);

            result.Matches.ShouldHaveSingleItem().Right.ShouldHaveSingleItem().ShouldBeSameAs(acme);
            var duplicate = result.Breaks.ShouldHaveSingleItem();
            duplicate.Records.ShouldHaveSingleItem().ShouldBeSameAs(zeta);
            duplicate.Detail.ShouldBe("1 more copy of Ledger record l1 with different contents; the first copy is reconciled, the rest are not counted.");
        }
    }

    [Fact]
    public void Run_CopiesAtOneInstantInDifferentOffsets_SmallerOffsetKeptInEitherOrder()
    {
        // The same instant written in UTC and in UTC+1: DateTimeOffset equality ignores the offset, so the copies are
        // equal records and the detail does not call them different; the order by offset still picks one.
        var utc = FromLedger("l1", "P1", -100);
        var plusOne = new ReconciliationRecord(ReconciliationSource.Ledger, "l1", "P1", "GBP", -100, T0.ToOffset(TimeSpan.FromHours(1)), ReconciliationKind.Payout);

        foreach (var ledger in new[] { new[] { plusOne, utc }, [utc, plusOne] })
        {
            var result = Run(BankLedger(), [FromBank("b1", "P1", -100)], ledger);

            result.Matches.ShouldHaveSingleItem().Right.ShouldHaveSingleItem().ShouldBeSameAs(utc);
            var duplicate = result.Breaks.ShouldHaveSingleItem();
            duplicate.Records.ShouldHaveSingleItem().ShouldBeSameAs(plusOne);
            duplicate.Detail.ShouldBe("1 more copy of Ledger record l1; the first copy is reconciled, the rest are not counted.");
        }
    }
}
