using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Velocity;

public sealed class VelocityGuardTests
{
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address OtherPayer = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly ChannelKey A = Key(1);
    private static readonly ChannelKey B = Key(2);

    [Fact]
    public void TryAdmit_NoRules_AdmitsWithoutFlags()
    {
        var guard = new VelocityGuard(new VelocityOptions());

        guard.IsEnabled.ShouldBeFalse();
        guard.TryAdmit(A, Payer, 1_000_000, Start, out var flags).ShouldBeTrue();
        flags.ShouldBeEmpty();
    }

    [Fact]
    public void TryAdmit_ChannelValueAccumulates_FlagsThenRefusesAboveLimitsAndRefusedValueIsNotCounted()
    {
        var guard = new VelocityGuard(new VelocityOptions { ChannelValuePerMinuteFlag = "100", ChannelValuePerMinuteRefuse = "150" });

        guard.TryAdmit(A, Payer, 60, Start, out var first).ShouldBeTrue();
        first.ShouldBeEmpty();
        guard.TryAdmit(A, Payer, 60, Start, out var second).ShouldBeTrue();
        second.ShouldHaveSingleItem().ShouldBe(new VelocityFlag(A, Payer, VelocityRule.ChannelValuePerMinute, 120, 100, false, Start));
        guard.TryAdmit(A, Payer, 40, Start, out var third).ShouldBeFalse();
        third.ShouldHaveSingleItem().ShouldBe(new VelocityFlag(A, Payer, VelocityRule.ChannelValuePerMinute, 160, 150, true, Start));

        // The refused 40 was not counted: 120 + 30 = 150 is at the limit, not above it.
        guard.TryAdmit(A, Payer, 30, Start, out var fourth).ShouldBeTrue();
        fourth.ShouldBeEmpty();
        guard.TryAdmit(B, Payer, 150, Start, out _).ShouldBeTrue("another channel has its own window");
    }

    [Fact]
    public void TryAdmit_NextSecondSameMinute_ValueFlagStillRaisedOnce()
    {
        // A new second clears the per-second count flags only: the minute's value flag is raised when crossed.
        var guard = new VelocityGuard(new VelocityOptions { ChannelValuePerMinuteFlag = "100" });
        guard.TryAdmit(A, Payer, 60, Start, out var first).ShouldBeTrue();
        first.ShouldBeEmpty();

        guard.TryAdmit(A, Payer, 60, Start.AddSeconds(1), out var second).ShouldBeTrue();
        second.ShouldHaveSingleItem().ShouldBe(new VelocityFlag(A, Payer, VelocityRule.ChannelValuePerMinute, 120, 100, false, Start.AddSeconds(1)));
        guard.TryAdmit(A, Payer, 10, Start.AddSeconds(2), out var third).ShouldBeTrue();
        third.ShouldBeEmpty();
    }

    [Fact]
    public void TryAdmit_NextMinute_ValueWindowStartsAgain()
    {
        var guard = new VelocityGuard(new VelocityOptions { ChannelValuePerMinuteRefuse = "100" });
        guard.TryAdmit(A, Payer, 100, Start, out _).ShouldBeTrue();
        guard.TryAdmit(A, Payer, 1, Start.AddSeconds(59), out _).ShouldBeFalse();

        guard.TryAdmit(A, Payer, 100, Start.AddSeconds(60), out _).ShouldBeTrue();
    }

    [Fact]
    public void TryAdmit_PayerCountAcrossChannels_RefusedAboveLimitAndAdmittedNextSecond()
    {
        var guard = new VelocityGuard(new VelocityOptions { PayerPaymentsPerSecondFlag = 2, PayerPaymentsPerSecondRefuse = 3 });

        guard.TryAdmit(A, Payer, 1, Start, out _).ShouldBeTrue();
        guard.TryAdmit(B, Payer, 1, Start, out _).ShouldBeTrue();
        guard.TryAdmit(A, Payer, 1, Start, out var flagged).ShouldBeTrue();
        flagged.ShouldHaveSingleItem().ShouldBe(new VelocityFlag(A, Payer, VelocityRule.PayerPaymentsPerSecond, 3, 2, false, Start));
        guard.TryAdmit(B, Payer, 1, Start, out var refused).ShouldBeFalse();
        refused.ShouldHaveSingleItem().ShouldBe(new VelocityFlag(B, Payer, VelocityRule.PayerPaymentsPerSecond, 4, 3, true, Start));
        guard.TryAdmit(A, OtherPayer, 1, Start, out _).ShouldBeTrue("another payer has its own window");

        guard.TryAdmit(A, Payer, 1, Start.AddSeconds(1), out var nextSecond).ShouldBeTrue();
        nextSecond.ShouldBeEmpty();
    }

    [Fact]
    public void TryAdmit_PayerValueAcrossChannels_Accumulates()
    {
        var guard = new VelocityGuard(new VelocityOptions { PayerValuePerMinuteFlag = "10" });

        guard.TryAdmit(A, Payer, 6, Start, out var first).ShouldBeTrue();
        first.ShouldBeEmpty();
        guard.TryAdmit(B, Payer, 5, Start, out var second).ShouldBeTrue();
        second.ShouldHaveSingleItem().ShouldBe(new VelocityFlag(B, Payer, VelocityRule.PayerValuePerMinute, 11, 10, false, Start));
    }

    [Fact]
    public void TryAdmit_CountAndValueFlagsInOneWindow_EachRaisedOnceAndIndependently()
    {
        var guard = new VelocityGuard(new VelocityOptions { ChannelPaymentsPerSecondFlag = 1, ChannelValuePerMinuteFlag = "10" });

        guard.TryAdmit(A, Payer, 5, Start, out var first).ShouldBeTrue();
        first.ShouldBeEmpty();
        guard.TryAdmit(A, Payer, 5, Start, out var second).ShouldBeTrue();
        second.ShouldHaveSingleItem().Rule.ShouldBe(VelocityRule.ChannelPaymentsPerSecond);
        guard.TryAdmit(A, Payer, 5, Start, out var third).ShouldBeTrue();
        third.ShouldHaveSingleItem().Rule.ShouldBe(VelocityRule.ChannelValuePerMinute);
        guard.TryAdmit(A, Payer, 5, Start, out var fourth).ShouldBeTrue();
        fourth.ShouldBeEmpty("each rule flags once per window");
    }

    [Fact]
    public void TryAdmit_PayerCountAndValueFlagsInOneWindow_EachRaisedOnceAndIndependently()
    {
        var guard = new VelocityGuard(new VelocityOptions { PayerPaymentsPerSecondFlag = 1, PayerValuePerMinuteFlag = "10" });

        guard.TryAdmit(A, Payer, 5, Start, out var first).ShouldBeTrue();
        first.ShouldBeEmpty();
        guard.TryAdmit(B, Payer, 5, Start, out var second).ShouldBeTrue();
        second.ShouldHaveSingleItem().Rule.ShouldBe(VelocityRule.PayerPaymentsPerSecond);
        guard.TryAdmit(A, Payer, 5, Start, out var third).ShouldBeTrue();
        third.ShouldHaveSingleItem().Rule.ShouldBe(VelocityRule.PayerValuePerMinute);
        guard.TryAdmit(B, Payer, 5, Start, out var fourth).ShouldBeTrue();
        fourth.ShouldBeEmpty("each rule flags once per window");
    }

    [Fact]
    public void TryAdmit_OneVoucherOverTwoRules_BothFlagsReturned()
    {
        var guard = new VelocityGuard(new VelocityOptions { ChannelValuePerMinuteFlag = "10", PayerValuePerMinuteFlag = "10" });

        guard.TryAdmit(A, Payer, 11, Start, out var flags).ShouldBeTrue();

        flags.Select(f => f.Rule).ShouldBe([VelocityRule.ChannelValuePerMinute, VelocityRule.PayerValuePerMinute]);
    }

    [Fact]
    public void TryAdmit_RefusalAfterAFlagInTheSameWindow_RaisesTheRefusalFlagToo()
    {
        var guard = new VelocityGuard(new VelocityOptions { ChannelPaymentsPerSecondFlag = 1, ChannelPaymentsPerSecondRefuse = 2 });
        guard.TryAdmit(A, Payer, 1, Start, out _);
        guard.TryAdmit(A, Payer, 1, Start, out var flag);
        flag.ShouldHaveSingleItem().Refused.ShouldBeFalse();

        guard.TryAdmit(A, Payer, 1, Start, out var refusal).ShouldBeFalse();
        refusal.ShouldHaveSingleItem().Refused.ShouldBeTrue();
        guard.TryAdmit(A, Payer, 1, Start, out var again).ShouldBeFalse();
        again.ShouldBeEmpty("one refusal flag per window");
    }

    [Fact]
    public void Constructor_NullOptions_Throws() => Should.Throw<ArgumentNullException>(() => new VelocityGuard(null!));

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("ten")]
    public void Validate_ValueLimitNotAPositiveWholeNumber_NamesTheSetting(string text)
    {
        var options = new VelocityOptions { PayerValuePerMinuteRefuse = text };

        var result = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ShouldHaveSingleItem();

        result.ErrorMessage!.ShouldContain("Payee:Velocity:PayerValuePerMinuteRefuse");
        result.ErrorMessage!.ShouldContain(text);
    }

    [Fact]
    public void Validate_FlagAboveRefuse_Refused()
    {
        var options = new VelocityOptions { ChannelPaymentsPerSecondFlag = 5, ChannelPaymentsPerSecondRefuse = 4 };

        options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ShouldHaveSingleItem()
            .ErrorMessage!.ShouldContain("flag first, then refuse");
    }

    private static ChannelKey Key(byte fill) =>
        new(31337, Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3"), ChannelId.FromBytes(Enumerable.Repeat(fill, 32).ToArray()));
}
