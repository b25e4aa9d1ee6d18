using System.Numerics;
using Settlement.Channels.Payee.Policy;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PayeePolicyOptionsTests
{
    [Fact]
    public void Defaults_AsDocumented()
    {
        var options = new PayeePolicyOptions();

        PayeePolicyOptions.Section.ShouldBe("Payee:Policy");
        options.Enabled.ShouldBeFalse();
        options.Interval.ShouldBe(TimeSpan.FromMinutes(1));
        options.DisputeMargin.ShouldBe(TimeSpan.FromMinutes(30));
        options.ExhaustedBelowBasisPoints.ShouldBe(1_000);
        options.ExhaustedBelowAmount.ShouldBeNull();
        options.UnredeemedAbove.ShouldBeNull();
        options.IdleCloseAfter.ShouldBe(TimeSpan.FromDays(7));
        options.IdleCloseGrace.ShouldBe(TimeSpan.FromDays(1));
        options.SettleAfterDeadline.ShouldBeTrue();
        options.UseBatch.ShouldBeTrue();
        options.BatchGasBudget.ShouldBe(1_000_000);
        options.BatchBaseGas.ShouldBe(41_400);
        options.BatchItemGas.ShouldBe(10_500);
        options.GetExhaustedBelowAmount().ShouldBeNull();
        options.GetUnredeemedAbove().ShouldBeNull();
        PayeeOptionsTests.Errors(options).ShouldBeEmpty();
    }

    public static TheoryData<Action<PayeePolicyOptions>> AcceptedBoundaries() => new()
    {
        o => o.Interval = TimeSpan.FromTicks(1),
        o => o.DisputeMargin = TimeSpan.Zero,
        o => o.IdleCloseAfter = TimeSpan.FromTicks(1),
        o => o.IdleCloseAfter = null,
        o => o.IdleCloseGrace = TimeSpan.FromTicks(1),
        o => o.IdleCloseGrace = null,
        o => o.ExhaustedBelowBasisPoints = 0,
        o => o.ExhaustedBelowBasisPoints = 10_000,
        o => o.ExhaustedBelowAmount = "1",
        o => o.UnredeemedAbove = "1",
        o => (o.BatchGasBudget, o.BatchBaseGas, o.BatchItemGas) = (51_900, 41_400, 10_500),
        o => (o.BatchGasBudget, o.BatchBaseGas, o.BatchItemGas) = (1, 0, 1),
        o => (o.BatchGasBudget, o.BatchBaseGas, o.BatchItemGas) = (100_000_000, 0, 100_000_000),
    };

    [Theory]
    [MemberData(nameof(AcceptedBoundaries))]
    public void Validate_AtTheBoundary_Accepted(Action<PayeePolicyOptions> set)
    {
        var options = new PayeePolicyOptions();
        set(options);

        PayeeOptionsTests.Errors(options).ShouldBeEmpty();
        Should.NotThrow(() => PayeePolicyPlanner.ThrowIfInvalid(options));
    }

    public static TheoryData<Action<PayeePolicyOptions>, string> Refused() => new()
    {
        { o => o.Interval = TimeSpan.FromTicks(-1), "Payee:Policy:Interval must be positive; got '-00:00:00.0000001'." },
        { o => o.DisputeMargin = TimeSpan.FromTicks(-1), "Payee:Policy:DisputeMargin must not be negative; got '-00:00:00.0000001'." },
        { o => o.IdleCloseAfter = TimeSpan.FromTicks(-1), "Payee:Policy:IdleCloseAfter must be positive (or unset to turn idle closes off); got '-00:00:00.0000001'." },
        { o => o.IdleCloseGrace = TimeSpan.FromTicks(-1), "Payee:Policy:IdleCloseGrace must be positive (or unset to close idle channels unilaterally at once); got '-00:00:00.0000001'." },
        { o => o.ExhaustedBelowBasisPoints = -1, "The field ExhaustedBelowBasisPoints must be between 0 and 10000." },
        { o => o.BatchGasBudget = 0, "The field BatchGasBudget must be between 1 and 100000000." },
        { o => o.BatchGasBudget = 100_000_001, "The field BatchGasBudget must be between 1 and 100000000." },
        { o => o.BatchBaseGas = -1, "The field BatchBaseGas must be between 0 and 100000000." },
        { o => o.BatchBaseGas = 100_000_001, "The field BatchBaseGas must be between 0 and 100000000." },
        { o => o.BatchItemGas = 0, "The field BatchItemGas must be between 1 and 100000000." },
        { o => o.BatchItemGas = 100_000_001, "The field BatchItemGas must be between 1 and 100000000." },
        { o => o.ExhaustedBelowAmount = "+5", "Payee:Policy:ExhaustedBelowAmount must be a positive whole number of base units; got '+5'." },
        { o => o.UnredeemedAbove = "-5", "Payee:Policy:UnredeemedAbove must be a positive whole number of base units; got '-5'." },
        { o => o.UnredeemedAbove = " 5", "Payee:Policy:UnredeemedAbove must be a positive whole number of base units; got ' 5'." },
        {
            o => (o.BatchGasBudget, o.BatchBaseGas, o.BatchItemGas) = (1_000, 500, 501),
            "Payee:Policy:BatchGasBudget (1000) must be at least BatchBaseGas + BatchItemGas (1001): no batch of one item would fit."
        },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_Refused_TheMessageNamesTheSetting(Action<PayeePolicyOptions> spoil, string message)
    {
        var options = new PayeePolicyOptions();
        spoil(options);

        PayeeOptionsTests.Errors(options).ShouldBe([message]);
        Should.Throw<ArgumentException>(() => PayeePolicyPlanner.ThrowIfInvalid(options)).Message.ShouldBe($"{message} (Parameter 'options')");
    }

    [Fact]
    public void Validate_SeveralProblems_AllInOneMessage()
    {
        var options = new PayeePolicyOptions { Interval = TimeSpan.Zero, UnredeemedAbove = "x", BatchGasBudget = 10 };

        Should.Throw<ArgumentException>(() => PayeePolicyPlanner.ThrowIfInvalid(options)).Message.ShouldBe(
            "Payee:Policy:Interval must be positive; got '00:00:00'. "
            + "Payee:Policy:UnredeemedAbove must be a positive whole number of base units; got 'x'. "
            + "Payee:Policy:BatchGasBudget (10) must be at least BatchBaseGas + BatchItemGas (51900): no batch of one item would fit. (Parameter 'options')");
        Should.Throw<ArgumentNullException>(() => PayeePolicyPlanner.ThrowIfInvalid(null!));
    }

    [Fact]
    public void Amounts_ParsedAsBaseUnits()
    {
        var options = new PayeePolicyOptions { ExhaustedBelowAmount = "1", UnredeemedAbove = "1000000000000000000000000" };

        options.GetExhaustedBelowAmount().ShouldBe(BigInteger.One);
        options.GetUnredeemedAbove().ShouldBe(BigInteger.Pow(10, 24));
    }

    [Fact]
    public void CopyTo_EverySetting()
    {
        var source = new PayeePolicyOptions
        {
            Enabled = true,
            Interval = TimeSpan.FromSeconds(1),
            DisputeMargin = TimeSpan.FromSeconds(2),
            ExhaustedBelowBasisPoints = 3,
            ExhaustedBelowAmount = "4",
            UnredeemedAbove = "5",
            IdleCloseAfter = null,
            IdleCloseGrace = TimeSpan.FromSeconds(6),
            SettleAfterDeadline = false,
            UseBatch = false,
            BatchGasBudget = 7,
            BatchBaseGas = 8,
            BatchItemGas = 9,
        };
        var target = new PayeePolicyOptions();

        source.CopyTo(target);

        target.Enabled.ShouldBeTrue();
        target.Interval.ShouldBe(TimeSpan.FromSeconds(1));
        target.DisputeMargin.ShouldBe(TimeSpan.FromSeconds(2));
        target.ExhaustedBelowBasisPoints.ShouldBe(3);
        target.ExhaustedBelowAmount.ShouldBe("4");
        target.UnredeemedAbove.ShouldBe("5");
        target.IdleCloseAfter.ShouldBeNull();
        target.IdleCloseGrace.ShouldBe(TimeSpan.FromSeconds(6));
        target.SettleAfterDeadline.ShouldBeFalse();
        target.UseBatch.ShouldBeFalse();
        target.BatchGasBudget.ShouldBe(7);
        target.BatchBaseGas.ShouldBe(8);
        target.BatchItemGas.ShouldBe(9);
        Should.Throw<ArgumentNullException>(() => source.CopyTo(null!)).ParamName.ShouldBe("target");
    }
}
