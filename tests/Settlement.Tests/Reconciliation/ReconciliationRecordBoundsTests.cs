using Settlement.Service.Reconciliation;
using static Settlement.Service.Tests.Reconciliation.Recon;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// The amount bound of <see cref="ReconciliationRecord"/> (±(2^96 − 1), the channel contract's <c>MAX_AMOUNT</c>) and the
/// engine at that bound: differences, tolerance reaches and sums stay exact where unbounded <see cref="Int128"/> amounts
/// overflowed (a record of <see cref="Int128.MinValue"/> against 0 threw from <c>Int128.Abs</c>).
/// </summary>
public sealed class ReconciliationRecordBoundsTests
{
    private static readonly Int128 Max = (Int128.One << 96) - 1;

    [Fact]
    public void MaxAmount_IsTwoToTheNinetySixMinusOne()
    {
        ReconciliationRecord.MaxAmount.ShouldBe(Int128.Parse("79228162514264337593543950335", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Create_AtTheBoundEitherWay_Accepted()
    {
        Record("b1", Max).Amount.ShouldBe(Max);
        Record("b2", -Max).Amount.ShouldBe(-Max);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Create_OneBeyondTheBound_RefusedByName(int sign)
    {
        var amount = sign * (Max + 1);

        var ex = Should.Throw<ArgumentOutOfRangeException>(() => Record("b1", amount));

        ex.ParamName.ShouldBe("amount");
        ex.ActualValue.ShouldBe(amount);
        ex.Message.ShouldStartWith("Record Bank b1: the amount is beyond ±(2^96 − 1) base units.");
    }

    [Theory]
    [InlineData("170141183460469231731687303715884105727")]
    [InlineData("-170141183460469231731687303715884105728")]
    public void Create_Int128Extremes_Refused(string value)
    {
        var amount = Int128.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Should.Throw<ArgumentOutOfRangeException>(() => Record("b1", amount)).ParamName.ShouldBe("amount");
    }

    [Fact]
    public void Run_OppositeBoundsUnderOneReference_AmountMismatchWithTheExactDifference()
    {
        var bank = Record("b1", Max, "P1");
        var ledger = Record("l1", -Max, "P1", ReconciliationSource.Ledger);

        var result = Run(BankLedger(), [bank], [ledger]);

        result.Matches.ShouldBeEmpty();
        var mismatch = result.Breaks.ShouldHaveSingleItem();
        mismatch.Reason.ShouldBe(BreakReason.AmountMismatch);
        mismatch.Records.ShouldBe([bank, ledger]);
        mismatch.Difference.ShouldBe(2 * Max);
    }

    [Fact]
    public void Run_BoundAgainstZero_NoOverflow()
    {
        var bank = Record("b1", -Max, "P1");
        var ledger = Record("l1", 0, "P1", ReconciliationSource.Ledger);

        var result = Run(BankLedger(), [bank], [ledger]);

        result.Breaks.ShouldHaveSingleItem().Difference.ShouldBe(-Max);
    }

    [Fact]
    public void Run_AtTheBoundWithinTheTolerance_MatchedByReference()
    {
        var rules = new ReconciliationRules { MaxDateLag = TimeSpan.FromDays(1), AmountTolerance = long.MaxValue };

        var result = Run(BankLedger(rules), [Record("b1", Max, "P1")], [Record("l1", Max - long.MaxValue, "P1", ReconciliationSource.Ledger)]);

        Matches(result).ShouldBe(["ReferenceWithinTolerance:b1|l1"]);
        result.Matches[0].Difference.ShouldBe((Int128)long.MaxValue);
        result.Breaks.ShouldBeEmpty();
    }

    [Fact]
    public void Run_AtTheBoundWithoutAReference_MatchedByAmount()
    {
        var result = Run(BankLedger(), [Record("b1", -Max)], [Record("l1", -Max, source: ReconciliationSource.Ledger)]);

        Matches(result).ShouldBe(["AmountWithoutReference:b1|l1"]);
        result.Breaks.ShouldBeEmpty();
    }

    private static ReconciliationRecord Record(string id, Int128 amount, string? reference = null, ReconciliationSource source = ReconciliationSource.Bank) =>
        new(source, id, reference, "GBP", amount, T0, ReconciliationKind.Payout);
}
