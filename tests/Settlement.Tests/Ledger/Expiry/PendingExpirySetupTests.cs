using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Ledger;
using Settlement.Service.Ledger.Expiry;

namespace Settlement.Service.Tests.Ledger.Expiry;

/// <summary>The expiry options (defaults, the allowed range with its exact message) and <c>AddPendingTransferExpiry</c>.</summary>
public sealed class PendingExpirySetupTests
{
    private const string OutOfRange =
        "DataAnnotation validation failed for 'PendingExpiryOptions' members: 'Interval' with the error: 'The field Interval must be between 00:00:00.0100000 and 01:00:00.'.";

    [Fact]
    public void Options_Defaults_OneSecondUnderTheDocumentedSection()
    {
        new PendingExpiryOptions().Interval.ShouldBe(TimeSpan.FromSeconds(1));
        PendingExpiryOptions.SectionName.ShouldBe("Settlement:Ledger:PendingExpiry");
    }

    [Theory]
    [InlineData("00:00:00.010")]
    [InlineData("00:00:01")]
    [InlineData("01:00:00")]
    public void Validate_IntervalInRange_Succeeds(string interval) =>
        Validate(TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture)).Succeeded.ShouldBeTrue();

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.009")]
    [InlineData("01:00:00.001")]
    [InlineData("-00:00:01")]
    public void Validate_IntervalOutOfRange_FailsNamingTheSetting(string interval)
    {
        var result = Validate(TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture));

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldBe(OutOfRange);
    }

    [Fact]
    public void AddPendingTransferExpiry_NullServices_Throws() =>
        Should.Throw<ArgumentNullException>(() => PendingExpiryServiceCollectionExtensions.AddPendingTransferExpiry(null!)).ParamName.ShouldBe("services");

    [Fact]
    public void AddPendingTransferExpiry_Empty_RegistersTheHostedServiceAndTheSystemClock()
    {
        var services = new ServiceCollection();

        services.AddPendingTransferExpiry().ShouldBeSameAs(services);

        var hosted = services.Single(d => d.ServiceType == typeof(IHostedService));
        (hosted.ImplementationType, hosted.Lifetime).ShouldBe((typeof(PendingExpiryService), ServiceLifetime.Singleton));
        var clock = services.Single(d => d.ServiceType == typeof(TimeProvider));
        (clock.ImplementationInstance, clock.Lifetime).ShouldBe((TimeProvider.System, ServiceLifetime.Singleton));
    }

    [Fact]
    public void AddPendingTransferExpiry_ClockAlreadyRegistered_KeepsIt()
    {
        var fake = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(fake);

        services.AddPendingTransferExpiry();

        services.Single(d => d.ServiceType == typeof(TimeProvider)).ImplementationInstance.ShouldBeSameAs(fake);
    }

    [Theory]
    [InlineData(null, "Settlement:Ledger:PendingExpiry:Interval")]
    [InlineData("Custom:Expiry", "Custom:Expiry:Interval")]
    public void AddPendingTransferExpiry_Section_BindsTheInterval(string? section, string key)
    {
        using var provider = Provider(section, new() { [key] = "00:00:07" });

        provider.GetRequiredService<IOptions<PendingExpiryOptions>>().Value.Interval.ShouldBe(TimeSpan.FromSeconds(7));
        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetServices<IHostedService>().Single().ShouldBeOfType<PendingExpiryService>();
    }

    [Fact]
    public void AddPendingTransferExpiry_NothingConfigured_DefaultInterval()
    {
        using var provider = Provider(null, []);

        provider.GetRequiredService<IOptions<PendingExpiryOptions>>().Value.Interval.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("02:00:00")]
    public void AddPendingTransferExpiry_IntervalOutOfRange_StartValidationFailsWithTheMessage(string interval)
    {
        using var provider = Provider(null, new() { ["Settlement:Ledger:PendingExpiry:Interval"] = interval });

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate()).Message.ShouldBe(OutOfRange);
        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PendingExpiryOptions>>().Value).Message.ShouldBe(OutOfRange);
    }

    private static ValidateOptionsResult Validate(TimeSpan interval) =>
        new DataAnnotationValidateOptions<PendingExpiryOptions>(null).Validate(null, new PendingExpiryOptions { Interval = interval });

    private static ServiceProvider Provider(string? section, Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton<ILedgerStore>(new ScriptedExpiryStore(TimeProvider.System))
            .AddLogging(b => b.ClearProviders());
        _ = section is null ? services.AddPendingTransferExpiry() : services.AddPendingTransferExpiry(section);
        return services.BuildServiceProvider();
    }
}
