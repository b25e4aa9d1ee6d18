using Settlement.Channels.Payer;

namespace Settlement.Channels.Tests.Payer;

public sealed class PaymentRefusedExceptionTests
{
    [Fact]
    public void Create_ForARefusal_SaysWhatWasRefusedAndWhy()
    {
        var refusal = new PaymentRefused(PaymentRefusalReason.ExceedsDeposit, 101, 900, 1_000);

        var ex = new PaymentRefusedException(refusal);

        ex.Refusal.ShouldBeSameAs(refusal);
        ex.Message.ShouldBe("Payment of 101 refused (ExceedsDeposit): signed 900 of deposit 1000.");
    }

    [Fact]
    public void Create_NullRefusal_Throws()
    {
        Should.Throw<ArgumentNullException>(() => new PaymentRefusedException((PaymentRefused)null!)).ParamName.ShouldBe("refusal");
    }

    [Fact]
    public void Create_WithoutARefusal_CarriesNone()
    {
        new PaymentRefusedException().Refusal.ShouldBeNull();
        new PaymentRefusedException().Message.ShouldBe("The payment was refused.");
        new PaymentRefusedException("m").Message.ShouldBe("m");
        new PaymentRefusedException("m", new IOException("x")).InnerException.ShouldBeOfType<IOException>();
    }
}
