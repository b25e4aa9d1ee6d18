using System.ComponentModel.DataAnnotations;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Velocity;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee;

public sealed class PayeeOptionsTests
{
    private const string Contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    private static PayeeOptions Valid(Action<PayeeOptions>? configure = null)
    {
        var options = new PayeeOptions { ChainId = 31337, Contract = Contract };
        configure?.Invoke(options);
        return options;
    }

    // What ValidateDataAnnotations does: the attributes, then (if they pass) IValidatableObject.
    internal static List<string?> Errors(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }

    [Fact]
    public void Defaults_AsDocumented()
    {
        var options = new PayeeOptions();

        PayeeOptions.Section.ShouldBe("Payee");
        options.ChainId.ShouldBe(0UL);
        options.Contract.ShouldBe("");
        options.DeadlineMargin.ShouldBe(TimeSpan.FromMinutes(10));
        options.CloseAgreementValidity.ShouldBe(TimeSpan.FromMinutes(10));
        options.CloseAgreementSkewMargin.ShouldBe(TimeSpan.FromMinutes(2));
        options.MaxBatchSize.ShouldBe(1024);
        options.WriteQueueCapacity.ShouldBe(16_384);
        options.UnknownChannelCacheTime.ShouldBe(TimeSpan.FromSeconds(2));
        options.Velocity.IsEmpty.ShouldBeTrue();
        Errors(Valid()).ShouldBeEmpty();
    }

    public static TheoryData<Action<PayeeOptions>> AcceptedBoundaries() => new()
    {
        o => o.ChainId = 1,
        o => o.ChainId = ulong.MaxValue,
        o => o.MaxBatchSize = 1,
        o => o.MaxBatchSize = 65_536,
        o => o.WriteQueueCapacity = 1,
        o => o.WriteQueueCapacity = 1_048_576,
        o => o.DeadlineMargin = TimeSpan.Zero,
        o => o.CloseAgreementValidity = TimeSpan.FromSeconds(1),
        o => o.CloseAgreementSkewMargin = TimeSpan.Zero,
        o => o.UnknownChannelCacheTime = TimeSpan.Zero,
        o => o.Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    };

    [Theory]
    [MemberData(nameof(AcceptedBoundaries))]
    public void Validate_AtTheBoundary_Accepted(Action<PayeeOptions> set) => Errors(Valid(set)).ShouldBeEmpty();

    public static TheoryData<Action<PayeeOptions>, string> Refused() => new()
    {
        { o => o.ChainId = 0, "The field ChainId must be between 1 and 18446744073709551615." },
        { o => o.MaxBatchSize = 0, "The field MaxBatchSize must be between 1 and 65536." },
        { o => o.MaxBatchSize = 65_537, "The field MaxBatchSize must be between 1 and 65536." },
        { o => o.WriteQueueCapacity = 0, "The field WriteQueueCapacity must be between 1 and 1048576." },
        { o => o.WriteQueueCapacity = 1_048_577, "The field WriteQueueCapacity must be between 1 and 1048576." },
        { o => o.Contract = "", "The Contract field is required." },
        { o => o.Contract = "0x5fbdb2315678afecb367f032d93f642f64180a", "Payee:Contract must be a 20-byte hex address; got '0x5fbdb2315678afecb367f032d93f642f64180a'." },
        { o => o.DeadlineMargin = TimeSpan.FromTicks(-1), "Payee:DeadlineMargin must not be negative." },
        { o => o.CloseAgreementValidity = TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1), "Payee:CloseAgreementValidity must be at least 1 second." },
        { o => o.CloseAgreementSkewMargin = TimeSpan.FromTicks(-1), "Payee:CloseAgreementSkewMargin must not be negative." },
        { o => o.UnknownChannelCacheTime = TimeSpan.FromTicks(-1), "Payee:UnknownChannelCacheTime must not be negative." },
        { o => o.Velocity.ChannelValuePerMinuteRefuse = "x", "Payee:Velocity:ChannelValuePerMinuteRefuse must be a positive whole number of base units; got 'x'." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Validate_Refused_TheMessageNamesTheSetting(Action<PayeeOptions> spoil, string message) =>
        Errors(Valid(spoil)).ShouldBe([message]);

    [Fact]
    public void Validate_SeveralProblems_EveryOneReported()
    {
        var options = Valid(o =>
        {
            o.Contract = "nope";
            o.DeadlineMargin = TimeSpan.FromSeconds(-1);
            o.UnknownChannelCacheTime = TimeSpan.FromSeconds(-1);
        });

        Errors(options).ShouldBe(
        [
            "Payee:Contract must be a 20-byte hex address; got 'nope'.",
            "Payee:DeadlineMargin must not be negative.",
            "Payee:UnknownChannelCacheTime must not be negative.",
        ]);
    }

    [Fact]
    public void GetContractAddress_TheParsedAddress()
    {
        Valid().GetContractAddress().ShouldBe(Address.Parse(Contract));
        Should.Throw<FormatException>(() => Valid(o => o.Contract = "nope").GetContractAddress());
    }

    [Fact]
    public void CopyTo_EverySetting()
    {
        var velocity = new VelocityOptions { PayerPaymentsPerSecondRefuse = 9 };
        var source = new PayeeOptions
        {
            ChainId = 5,
            Contract = Contract,
            DeadlineMargin = TimeSpan.FromSeconds(11),
            CloseAgreementValidity = TimeSpan.FromSeconds(12),
            CloseAgreementSkewMargin = TimeSpan.FromSeconds(13),
            MaxBatchSize = 14,
            WriteQueueCapacity = 15,
            UnknownChannelCacheTime = TimeSpan.FromSeconds(16),
            Velocity = velocity,
        };
        var target = new PayeeOptions();

        source.CopyTo(target);

        target.ChainId.ShouldBe(5UL);
        target.Contract.ShouldBe(Contract);
        target.DeadlineMargin.ShouldBe(TimeSpan.FromSeconds(11));
        target.CloseAgreementValidity.ShouldBe(TimeSpan.FromSeconds(12));
        target.CloseAgreementSkewMargin.ShouldBe(TimeSpan.FromSeconds(13));
        target.MaxBatchSize.ShouldBe(14);
        target.WriteQueueCapacity.ShouldBe(15);
        target.UnknownChannelCacheTime.ShouldBe(TimeSpan.FromSeconds(16));
        target.Velocity.ShouldBeSameAs(velocity);
        Should.Throw<ArgumentNullException>(() => source.CopyTo(null!)).ParamName.ShouldBe("target");
    }
}
