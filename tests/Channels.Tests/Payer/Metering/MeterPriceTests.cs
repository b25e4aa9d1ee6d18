using System.Numerics;
using Settlement.Channels.Payer.Metering;

namespace Settlement.Channels.Tests.Payer.Metering;

public sealed class MeterPriceTests
{
    [Fact]
    public void Create_ZeroAmount_IsAFreePrice()
    {
        var free = new MeterPrice(0, 1);

        free.CostOf(1_000_000).ShouldBe(BigInteger.Zero);
        free.CostOfTicks(TimeSpan.FromHours(1).Ticks).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public void Create_NegativeAmount_ThrowsNamingTheAmount()
    {
        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => new MeterPrice(-1, 1));

        thrown.ParamName.ShouldBe("amount");
        thrown.Message.ShouldStartWith("A price is not negative.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Create_NotPositiveUnitCount_ThrowsNamingTheUnits(int perUnits)
    {
        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => new MeterPrice(1, perUnits));

        thrown.ParamName.ShouldBe("perUnits");
        thrown.Message.ShouldStartWith("A price is per a positive number of units.");
    }

    [Fact]
    public void PerUnit_IsAmountPerOneUnit()
    {
        var price = MeterPrice.PerUnit(7);

        price.ShouldBe(new MeterPrice(7, 1));
        price.CostOf(3).ShouldBe(new BigInteger(21));
    }

    [Fact]
    public void CostOfTicks_PerThousandSeconds_RoundsUpToAWholeBaseUnit()
    {
        var price = new MeterPrice(3, 1_000);

        price.CostOfTicks(0).ShouldBe(BigInteger.Zero);
        price.CostOfTicks(-5).ShouldBe(BigInteger.Zero);
        price.CostOfTicks(1).ShouldBe(BigInteger.One);
        price.CostOfTicks(TimeSpan.FromSeconds(1_000).Ticks).ShouldBe(new BigInteger(3));
        price.CostOfTicks(TimeSpan.FromSeconds(1_000).Ticks + 1).ShouldBe(new BigInteger(4));
    }

    [Fact]
    public void Unpaid_PaidAheadOfDue_IsZeroNotNegative()
    {
        new MeterOutcome(MeterStatus.Paid, 1, 10, 60, null).Unpaid.ShouldBe(BigInteger.Zero);
        new MeterOutcome(MeterStatus.Recorded, 1, 60, 10, null).Unpaid.ShouldBe(new BigInteger(50));
    }
}
