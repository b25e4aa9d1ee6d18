using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.PayeeService.Http402;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>The 402 options' validation messages and the registration's argument checks (no Anvil).</summary>
public sealed class PaymentRequiredOptionsTests
{
    private const string PayTo = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    [Fact]
    public void Validate_AddressesAndDeposit_InRange_NoErrors()
    {
        var options = new PaymentRequiredOptions { PayTo = PayTo, MinDeposit = 0 };

        Errors(options).ShouldBeEmpty();
        options.GetAsset().ShouldBe(Ethereum.Addresses.Address.Zero);
        options.StoreWait.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(1L)] // one tick
    [InlineData(600_000_000L)] // exactly MaxStoreWait, one minute
    public void Validate_StoreWait_AboveZeroUpToTheMaximum_NoErrors(long ticks)
    {
        Errors(new PaymentRequiredOptions { PayTo = PayTo, StoreWait = TimeSpan.FromTicks(ticks) }).ShouldBeEmpty();
        PaymentRequiredOptions.MaxStoreWait.ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(0L, "StoreWait must be above zero and at most 00:01:00; got 00:00:00.")]
    [InlineData(-10_000_000L, "StoreWait must be above zero and at most 00:01:00; got -00:00:01.")]
    [InlineData(600_000_001L, "StoreWait must be above zero and at most 00:01:00; got 00:01:00.0000001.")]
    public void Validate_StoreWait_ZeroNegativeOrAboveTheMaximum_Refused(long ticks, string message)
    {
        Errors(new PaymentRequiredOptions { PayTo = PayTo, StoreWait = TimeSpan.FromTicks(ticks) }).ShouldBe([(message, "StoreWait")]);
    }

    [Fact]
    public void Validate_EachSettingWrong_EachNamedWithItsValue()
    {
        var options = new PaymentRequiredOptions { PayTo = "0x1234", Asset = "eth", MinDeposit = -1 };

        Errors(options).ShouldBe(
        [
            ("PayTo must be a 0x address of 20 bytes; got '0x1234'.", "PayTo"),
            ("Asset must be a 0x address of 20 bytes (the zero address for ETH); got 'eth'.", "Asset"),
            ("MinDeposit is never negative.", "MinDeposit"),
        ]);
    }

    [Fact]
    public void Validate_PayToNeverSet_RequiredRefusesTheEmptyDefault()
    {
        var options = new PaymentRequiredOptions();
        var results = new List<ValidationResult>();

        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true).ShouldBeFalse();

        // The data annotations run first and stop there: the default payee is the empty string, which [Required] refuses.
        results.Select(r => (r.ErrorMessage, r.MemberNames.Single())).ShouldBe([("The PayTo field is required.", "PayTo")]);
        Errors(options).ShouldBe([("PayTo must be a 0x address of 20 bytes; got ''.", "PayTo")]);
    }

    [Fact]
    public void AddPaymentRequired_BadSettings_RefusedAtResolveWithTheMessage()
    {
        var services = new ServiceCollection();
        services.AddPaymentRequired(o => o.PayTo = "nope");
        services.AddPaymentRequired(o => o.MinDeposit = 5);
        using var provider = services.BuildServiceProvider();

        var thrown = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PaymentRequiredOptions>>().Value);

        thrown.Failures.ShouldContain(f => f.Contains("PayTo must be a 0x address of 20 bytes; got 'nope'."), string.Join(" | ", thrown.Failures));
        services.Count(d => d.ServiceType == typeof(PaymentCreditBook)).ShouldBe(1);
    }

    [Fact]
    public void Extensions_NullArguments_RefusedByName()
    {
        Should.Throw<ArgumentNullException>(() => PaymentRequiredExtensions.AddPaymentRequired(null!, _ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddPaymentRequired(null!)).ParamName.ShouldBe("configure");
        Should.Throw<ArgumentNullException>(() => PaymentRequiredExtensions.UsePaymentRequired(null!)).ParamName.ShouldBe("app");
        Should.Throw<ArgumentNullException>(() => PaymentRequiredExtensions.RequirePayment<IEndpointConventionBuilder>(null!, PaymentPrice.ForRequest(1)))
            .ParamName.ShouldBe("builder");
        Should.Throw<ArgumentNullException>(() => new NoConventions().RequirePayment(null!)).ParamName.ShouldBe("price");
    }

    private static List<(string? Message, string Member)> Errors(PaymentRequiredOptions options) =>
        options.Validate(new ValidationContext(options)).Select(r => (r.ErrorMessage, r.MemberNames.Single())).ToList();

    private sealed class NoConventions : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
        }
    }
}
