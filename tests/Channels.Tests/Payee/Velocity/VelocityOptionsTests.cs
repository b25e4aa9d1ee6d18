using Settlement.Channels.Payee.Velocity;

namespace Settlement.Channels.Tests.Payee.Velocity;

public sealed class VelocityOptionsTests
{
    public static TheoryData<Action<VelocityOptions>> EachRule() => new()
    {
        o => o.ChannelPaymentsPerSecondFlag = 1,
        o => o.ChannelPaymentsPerSecondRefuse = 1,
        o => o.ChannelValuePerMinuteFlag = "1",
        o => o.ChannelValuePerMinuteRefuse = "1",
        o => o.PayerPaymentsPerSecondFlag = 1,
        o => o.PayerPaymentsPerSecondRefuse = 1,
        o => o.PayerValuePerMinuteFlag = "1",
        o => o.PayerValuePerMinuteRefuse = "1",
    };

    [Fact]
    public void IsEmpty_NothingConfigured_True() => new VelocityOptions().IsEmpty.ShouldBeTrue();

    [Theory]
    [MemberData(nameof(EachRule))]
    public void IsEmpty_AnyOneRule_FalseAndValid(Action<VelocityOptions> set)
    {
        var options = new VelocityOptions();
        set(options);

        options.IsEmpty.ShouldBeFalse();
        PayeeOptionsTests.Errors(options).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("1", 1L)]
    [InlineData("79228162514264337593543950336", null)] // 2^96: parsed, no upper bound here
    [InlineData("0", null)]
    [InlineData("+1", null)]
    [InlineData("-1", null)]
    [InlineData(" 1", null)]
    [InlineData("1 ", null)]
    [InlineData("1,000", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void ParseAmount_OnlyPositiveDecimalDigits(string? text, long? expected)
    {
        var parsed = VelocityOptions.ParseAmount(text);

        if (text == "79228162514264337593543950336")
        {
            parsed.ShouldBe(System.Numerics.BigInteger.Pow(2, 96));
        }
        else
        {
            parsed.ShouldBe(expected is { } e ? e : null);
        }
    }

    public static TheoryData<Action<VelocityOptions>, string> Refused() => new()
    {
        { o => o.ChannelPaymentsPerSecondFlag = 0, "The field ChannelPaymentsPerSecondFlag must be between 1 and 2147483647." },
        { o => o.ChannelPaymentsPerSecondRefuse = 0, "The field ChannelPaymentsPerSecondRefuse must be between 1 and 2147483647." },
        { o => o.PayerPaymentsPerSecondFlag = 0, "The field PayerPaymentsPerSecondFlag must be between 1 and 2147483647." },
        { o => o.PayerPaymentsPerSecondRefuse = 0, "The field PayerPaymentsPerSecondRefuse must be between 1 and 2147483647." },
        { o => o.ChannelValuePerMinuteFlag = "0", "Payee:Velocity:ChannelValuePerMinuteFlag must be a positive whole number of base units; got '0'." },
        { o => o.ChannelValuePerMinuteRefuse = "1.5", "Payee:Velocity:ChannelValuePerMinuteRefuse must be a positive whole number of base units; got '1.5'." },
        { o => o.PayerValuePerMinuteFlag = "-3", "Payee:Velocity:PayerValuePerMinuteFlag must be a positive whole number of base units; got '-3'." },
        { o => o.PayerValuePerMinuteRefuse = "", "Payee:Velocity:PayerValuePerMinuteRefuse must be a positive whole number of base units; got ''." },
        {
            o => (o.ChannelPaymentsPerSecondFlag, o.ChannelPaymentsPerSecondRefuse) = (5, 4),
            "Payee:Velocity:ChannelPaymentsPerSecondFlag must not be above ChannelPaymentsPerSecondRefuse (flag first, then refuse)."
        },
        {
            o => (o.PayerPaymentsPerSecondFlag, o.PayerPaymentsPerSecondRefuse) = (5, 4),
            "Payee:Velocity:PayerPaymentsPerSecondFlag must not be above PayerPaymentsPerSecondRefuse (flag first, then refuse)."
        },
        {
            o => (o.ChannelValuePerMinuteFlag, o.ChannelValuePerMinuteRefuse) = ("1000", "999"),
            "Payee:Velocity:ChannelValuePerMinuteFlag must not be above ChannelValuePerMinuteRefuse (flag first, then refuse)."
        },
        {
            o => (o.PayerValuePerMinuteFlag, o.PayerValuePerMinuteRefuse) = ("1000", "999"),
            "Payee:Velocity:PayerValuePerMinuteFlag must not be above PayerValuePerMinuteRefuse (flag first, then refuse)."
        },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_Refused_TheMessageNamesTheSetting(Action<VelocityOptions> spoil, string message)
    {
        var options = new VelocityOptions();
        spoil(options);

        PayeeOptionsTests.Errors(options).ShouldBe([message]);
    }

    public static TheoryData<Action<VelocityOptions>> Accepted() => new()
    {
        o => (o.ChannelPaymentsPerSecondFlag, o.ChannelPaymentsPerSecondRefuse) = (4, 4),
        o => (o.PayerPaymentsPerSecondFlag, o.PayerPaymentsPerSecondRefuse) = (4, 4),
        o => (o.ChannelValuePerMinuteFlag, o.ChannelValuePerMinuteRefuse) = ("999", "999"),
        o => (o.PayerValuePerMinuteFlag, o.PayerValuePerMinuteRefuse) = ("999", "999"),
        o => (o.ChannelValuePerMinuteFlag, o.ChannelValuePerMinuteRefuse) = ("999", "1000"),
        o => (o.ChannelPaymentsPerSecondFlag, o.ChannelPaymentsPerSecondRefuse) = (int.MaxValue, null),
        o => (o.PayerValuePerMinuteFlag, o.PayerValuePerMinuteRefuse) = ("1000", null),
        o => (o.PayerValuePerMinuteFlag, o.PayerValuePerMinuteRefuse) = (null, "1"),
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Validate_FlagAtOrBelowRefuseOrOneHalfOff_Accepted(Action<VelocityOptions> set)
    {
        var options = new VelocityOptions();
        set(options);

        PayeeOptionsTests.Errors(options).ShouldBeEmpty();
    }
}
