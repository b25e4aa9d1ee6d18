using System.ComponentModel.DataAnnotations;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows;

public sealed class PayoutOptionsTests
{
    private static PayoutOptions Valid()
    {
        var options = new PayoutOptions { ChainId = 31337, MinimumPence = 100, FeePence = 20 };
        options.Merchants.Add(Merchant("m1"));
        return options;
    }

    private static PayoutMerchant Merchant(string id) => new()
    {
        Id = id, Address = "0x3333333333333333333333333333333333333333", Bank = "sandbox", AccountIdentification = "20000055555555", AccountName = "M",
    };

    private static List<string> Errors(PayoutOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }

    [Fact]
    public void Validate_Valid_NoErrors() => Errors(Valid()).ShouldBeEmpty();

    [Fact]
    public void Validate_MinimumZero_NamesTheSetting()
    {
        var options = Valid();
        options.MinimumPence = 0;
        Errors(options).ShouldBe(["The field MinimumPence must be between 1 and 9223372036854775807."]);
    }

    [Fact]
    public void Validate_NegativeFee_NamesTheSetting()
    {
        var options = Valid();
        options.FeePence = -1;
        Errors(options).ShouldBe(["The field FeePence must be between 0 and 9223372036854775807."]);
    }

    [Fact]
    public void Validate_IntervalTooShort_NamesTheSetting()
    {
        var options = Valid();
        options.Interval = TimeSpan.FromMilliseconds(10);
        Errors(options).ShouldHaveSingleItem().ShouldContain("Interval");
    }

    [Fact]
    public void Validate_MerchantAddressNotAnAddress_NamesTheMerchant()
    {
        var options = Valid();
        options.Merchants[0].Address = "0x12";
        Errors(options).ShouldBe(["Settlement:Payouts:Merchants:0:Address '0x12' is not an address."]);
    }

    [Fact]
    public void Validate_DuplicateMerchantId_NamesIt()
    {
        var options = Valid();
        options.Merchants.Add(Merchant("m1"));
        Errors(options).ShouldBe(["Settlement:Payouts:Merchants:1:Id 'm1' appears twice."]);
    }

    [Fact]
    public void Validate_MerchantWithoutBankAccount_NamesTheMerchantAndField()
    {
        var options = Valid();
        options.Merchants[0].AccountIdentification = null;
        Errors(options).ShouldHaveSingleItem().ShouldStartWith("Settlement:Payouts:Merchants:0: The AccountIdentification field is required");
    }

    [Fact]
    public void Defaults_EnabledDailyFrom100pWithoutFee()
    {
        var options = new PayoutOptions();

        options.Enabled.ShouldBeTrue();
        options.Interval.ShouldBe(TimeSpan.FromDays(1));
        options.MinimumPence.ShouldBe(100);
        options.FeePence.ShouldBe(0);
        options.TokenLedger.ShouldBe(2u);
    }

    [Fact]
    public void Validate_MerchantIdLongerThan100_NamesTheMerchantAndLimit()
    {
        var options = Valid();
        options.Merchants[0].Id = new string('m', 101);
        Errors(options).ShouldBe(["Settlement:Payouts:Merchants:0: The field Id must be a string with a maximum length of 100."]);
    }

    [Fact]
    public void Validate_MerchantWithoutAddress_OnlyTheMissingFieldReported()
    {
        var options = Valid();
        options.Merchants[0].Address = null;
        options.Merchants.Add(Merchant("m2"));
        options.Merchants[1].Address = "0x12";
        Errors(options).ShouldBe(
        [
            "Settlement:Payouts:Merchants:0: The Address field is required.",
            "Settlement:Payouts:Merchants:1:Address '0x12' is not an address.",
        ]);
    }

    [Theory]
    [InlineData("2026-03-01T12:00:00Z", 1, "2026-03-01T00:00:00Z")]
    [InlineData("2026-03-01T00:00:00Z", 1, "2026-03-01T00:00:00Z")]
    [InlineData("2026-03-01T23:59:59Z", 1, "2026-03-01T00:00:00Z")]
    [InlineData("2026-03-01T12:34:00Z", 0.25, "2026-03-01T12:00:00Z")]
    public void SlotStart_TheSlotSinceTheEpochThatHoldsNow(string now, double days, string expected)
    {
        SettlementFlows.SlotStart(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromDays(days))
            .ShouldBe(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(1000, 300, 500, 200, true)]
    [InlineData(1000, 300, 500, 100, false)]
    [InlineData(1000, 0, 1000, 0, true)]
    [InlineData(100, 300, 0, 0, false)]
    public void ChannelSettlementRecord_Balanced_IffPayoutPlusRefundIsDepositMinusWithdrawals(int deposit, int withdrawn, int payee, int payer, bool balanced)
    {
        new ChannelSettlementRecord("0xc", "0x1", 1, (UInt128)deposit, (UInt128)withdrawn, (UInt128)payee, (UInt128)payer).Balanced.ShouldBe(balanced);
    }
}
