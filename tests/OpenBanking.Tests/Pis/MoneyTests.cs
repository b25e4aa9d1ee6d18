using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Tests.Pis;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("10.50", "GBP", 1050L)]
    [InlineData("10.5", "GBP", 1050L)]
    [InlineData("0.01", "GBP", 1L)]
    [InlineData("7", "GBP", 700L)]
    [InlineData("12.00000", "EUR", 1200L)]
    [InlineData("1500", "JPY", 1500L)]
    [InlineData("1.234", "KWD", 1234L)]
    [InlineData("9999999999999.99", "GBP", 999999999999999L)]
    public void TryParseObie_ValidAmount_ExactMinorUnits(string amount, string currency, long minor)
    {
        Money.TryParseObie(amount, currency, out var money).ShouldBeTrue();
        money!.Value.MinorUnits.ShouldBe(minor);
        money.Value.Currency.ShouldBe(currency);
    }

    [Theory]
    [InlineData("10.505", "GBP")]
    [InlineData("1.5", "JPY")]
    [InlineData("-1.00", "GBP")]
    [InlineData("1e3", "GBP")]
    [InlineData("", "GBP")]
    [InlineData("1.", "GBP")]
    [InlineData(".5", "GBP")]
    [InlineData("1,00", "GBP")]
    [InlineData("12345678901234", "GBP")]
    [InlineData("1.00", "gbp")]
    [InlineData("1.00", "GB")]
    [InlineData(" 1.00", "GBP")]
    public void TryParseObie_InvalidOrImpreciseAmount_Fails(string amount, string currency)
    {
        Money.TryParseObie(amount, currency, out var money).ShouldBeFalse();
        money.ShouldBeNull();
    }

    [Theory]
    [InlineData(1050L, "GBP", "10.50")]
    [InlineData(1L, "GBP", "0.01")]
    [InlineData(0L, "GBP", "0.00")]
    [InlineData(1500L, "JPY", "1500")]
    [InlineData(1234L, "KWD", "1.234")]
    public void ToObieAmount_MinorUnits_DecimalString(long minor, string currency, string expected)
    {
        var money = new Money(minor, currency);
        money.ToObieAmount().ShouldBe(expected);
        Money.TryParseObie(expected, currency, out var back).ShouldBeTrue();
        back.ShouldBe(money);
    }
}
