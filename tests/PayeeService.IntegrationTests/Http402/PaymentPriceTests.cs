using System.Numerics;
using Settlement.PayeeService.Http402;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>The price of a route: each amount at its edge, each refusal with its parameter and message.</summary>
public sealed class PaymentPriceTests
{
    [Fact]
    public void ForRequest_One_TheSmallestPrice_NoBytes()
    {
        var price = PaymentPrice.ForRequest(1);

        price.PerRequest.ShouldBe(BigInteger.One);
        price.PerByte.ShouldBe(BigInteger.Zero);
        price.MaxUnpaid.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public void ForRequest_Zero_Refused()
    {
        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => PaymentPrice.ForRequest(0));

        thrown.ParamName.ShouldBe("perRequest");
        thrown.ActualValue.ShouldBe(BigInteger.Zero);
        thrown.Message.ShouldStartWith("A priced request costs at least 1 base unit up front, so that each request brings a new voucher.");
    }

    [Fact]
    public void ForBytes_NegativePerByte_Refused()
    {
        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => PaymentPrice.ForBytes(1, -1, 10));

        thrown.ParamName.ShouldBe("perByte");
        thrown.ActualValue.ShouldBe(BigInteger.MinusOne);
        thrown.Message.ShouldStartWith("A price per byte is never negative.");
    }

    [Theory]
    [InlineData(0, -1)] // no bytes priced: the allowance is still never negative
    [InlineData(2, 1)] // less than one byte
    [InlineData(2, -1)]
    public void ForBytes_AllowanceNegativeOrBelowOneByte_Refused(int perByte, int maxUnpaid)
    {
        var thrown = Should.Throw<ArgumentOutOfRangeException>(() => PaymentPrice.ForBytes(1, perByte, maxUnpaid));

        thrown.ParamName.ShouldBe("maxUnpaid");
        thrown.ActualValue.ShouldBe((BigInteger)maxUnpaid);
        thrown.Message.ShouldStartWith("The unpaid allowance is never negative and covers at least one byte when bytes are priced.");
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(1, 0, 5)]
    [InlineData(5, 2, 2)] // exactly one byte
    [InlineData(5, 2, 2_000)]
    public void ForBytes_InRange_Kept(int perRequest, int perByte, int maxUnpaid)
    {
        var price = PaymentPrice.ForBytes(perRequest, perByte, maxUnpaid);

        price.PerRequest.ShouldBe((BigInteger)perRequest);
        price.PerByte.ShouldBe((BigInteger)perByte);
        price.MaxUnpaid.ShouldBe((BigInteger)maxUnpaid);
    }
}
