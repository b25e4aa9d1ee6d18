using System.Numerics;
using Settlement.Service.Conversion;

namespace Settlement.Service.Tests.Conversion;

public sealed class StablecoinRateTests
{
    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1L, "10000")]
    [InlineData(2000L, "20000000")]
    [InlineData(long.MaxValue, "92233720368547758070000")]
    public void ToBaseUnits_Pence_IsTenThousandUnitsPerPenny(long pence, string expected) =>
        StablecoinRate.ToBaseUnits(pence).ShouldBe(BigInteger.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void ToBaseUnits_Negative_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => StablecoinRate.ToBaseUnits(-1));

    [Theory]
    [InlineData("0", 0L, "0")]
    [InlineData("9999", 0L, "9999")]
    [InlineData("10000", 1L, "0")]
    [InlineData("10001", 1L, "1")]
    [InlineData("20009999", 2000L, "9999")]
    public void ToPence_RoundsDownAndReportsRemainder(string units, long pence, string remainder)
    {
        var result = StablecoinRate.ToPence(BigInteger.Parse(units, System.Globalization.CultureInfo.InvariantCulture), out var rest);
        result.ShouldBe(pence);
        rest.ShouldBe(BigInteger.Parse(remainder, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ToPence_RoundTripOfWholePence_IsExact()
    {
        var random = new Random(12345);
        for (var i = 0; i < 10_000; i++)
        {
            var pence = random.NextInt64(0, long.MaxValue);
            StablecoinRate.ToPence(StablecoinRate.ToBaseUnits(pence), out var rest).ShouldBe(pence);
            rest.ShouldBe(BigInteger.Zero);
        }
    }

    [Fact]
    public void ToPence_AnyAmount_NeverPaysMoreThanReceived()
    {
        var random = new Random(54321);
        for (var i = 0; i < 10_000; i++)
        {
            var units = new BigInteger(random.NextInt64(0, long.MaxValue)) * random.Next(1, 1000);
            var pence = StablecoinRate.ToPence(units, out var rest);
            (StablecoinRate.ToBaseUnits(pence) + rest).ShouldBe(units);
            rest.ShouldBeInRange(BigInteger.Zero, new BigInteger(StablecoinRate.BaseUnitsPerPenny - 1));
        }
    }

    [Fact]
    public void ToPence_Negative_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => StablecoinRate.ToPence(BigInteger.MinusOne, out _));

    [Fact]
    public void ToPence_MoreThanLongPence_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => StablecoinRate.ToPence((new BigInteger(long.MaxValue) + 1) * StablecoinRate.BaseUnitsPerPenny, out _));

    [Theory]
    [InlineData(0L, "£0.00")]
    [InlineData(5L, "£0.05")]
    [InlineData(2000L, "£20.00")]
    [InlineData(-1234L, "-£12.34")]
    public void FormatPounds_Pence_ShowsPoundsAndPence(long pence, string expected) =>
        StablecoinRate.FormatPounds(pence).ShouldBe(expected);

    [Theory]
    [InlineData("0", "0.000000 tGBP")]
    [InlineData("1", "0.000001 tGBP")]
    [InlineData("20000000", "20.000000 tGBP")]
    public void FormatTokens_BaseUnits_ShowsSixDecimals(string units, string expected) =>
        StablecoinRate.FormatTokens(BigInteger.Parse(units, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected);
}
