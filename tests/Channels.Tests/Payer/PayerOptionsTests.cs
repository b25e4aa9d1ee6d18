using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Storage;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer;

/// <summary><see cref="PayerOptions"/>' validation, one message per bad setting, and what <c>AddPayerClient</c> builds.</summary>
public sealed class PayerOptionsTests
{
    private const string ContractText = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    [Fact]
    public void Validate_Defaults_OnlyTheMissingContract()
    {
        Errors(new PayerOptions()).ShouldBe(["Payer:Contract must be a 20-byte hex address; got ''."]);
    }

    [Fact]
    public void Validate_GoodSettings_NoError()
    {
        var options = Good();
        options.ReceiptSigner = "0x00000000000000000000000000000000000000aa";
        options.ReconnectMaxDelay = options.ReconnectInitialDelay; // equal is allowed
        options.DepositConfirmations = 1_000;

        Errors(options).ShouldBeEmpty();
        options.GetContractAddress().ShouldBe(Address.Parse(ContractText));
        options.GetReceiptSigner().ShouldBe(Address.Parse("0x00000000000000000000000000000000000000aa"));
    }

    [Theory]
    [InlineData(nameof(PayerOptions.ReceiptSigner), "Payer:ReceiptSigner must be a 20-byte hex address; got 'x'.")]
    [InlineData(nameof(PayerOptions.ReconnectInitialDelay), "Payer:ReconnectInitialDelay must be positive.")]
    [InlineData(nameof(PayerOptions.ReconnectMaxDelay), "Payer:ReconnectMaxDelay must not be shorter than Payer:ReconnectInitialDelay.")]
    [InlineData(nameof(PayerOptions.ConnectTimeout), "Payer:ConnectTimeout must be positive.")]
    [InlineData(nameof(PayerOptions.RetryDelay), "Payer:RetryDelay must be positive.")]
    [InlineData(nameof(PayerOptions.DepositConfirmations), "Payer:DepositConfirmations must be between 0 and 1000.")]
    [InlineData(nameof(PayerOptions.DepositPollInterval), "Payer:DepositPollInterval must be positive.")]
    public void Validate_OneBadSetting_ExactlyItsMessage(string setting, string message)
    {
        var options = Good();
        switch (setting)
        {
            case nameof(PayerOptions.ReceiptSigner): options.ReceiptSigner = "x"; break;
            case nameof(PayerOptions.ReconnectInitialDelay): options.ReconnectInitialDelay = TimeSpan.Zero; options.ReconnectMaxDelay = TimeSpan.Zero; break;
            case nameof(PayerOptions.ReconnectMaxDelay): options.ReconnectMaxDelay = options.ReconnectInitialDelay - TimeSpan.FromTicks(1); break;
            case nameof(PayerOptions.ConnectTimeout): options.ConnectTimeout = TimeSpan.Zero; break;
            case nameof(PayerOptions.RetryDelay): options.RetryDelay = TimeSpan.Zero; break;
            case nameof(PayerOptions.DepositPollInterval): options.DepositPollInterval = TimeSpan.Zero; break;
            default: options.DepositConfirmations = 1_001; break;
        }

        Errors(options).ShouldBe([message]);
    }

    [Fact]
    public void Validate_NegativeConfirmations_Refused()
    {
        var options = Good();
        options.DepositConfirmations = -1;

        Errors(options).ShouldBe(["Payer:DepositConfirmations must be between 0 and 1000."]);
        Good().GetReceiptSigner().ShouldBeNull();
    }

    [Fact]
    public async Task AddPayerClient_BuildsTheClientFromOptionsAndServices()
    {
        using var w = new PayerWorld(100);
        var services = new ServiceCollection();
        services.AddSingleton(w.Rpc);
        services.AddSingleton<IPayerStore>(w.Store);
        services.AddSingleton<TimeProvider>(w.Clock);
        services.AddPayerClient(_ => Ethereum.Signing.PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray()), o =>
        {
            o.Contract = ContractText;
            o.ReconnectInitialDelay = TimeSpan.FromSeconds(1);
            o.ReconnectMaxDelay = TimeSpan.FromSeconds(2);
            o.ConnectTimeout = TimeSpan.FromSeconds(3);
            o.RetryDelay = TimeSpan.FromSeconds(4);
            o.DepositConfirmations = 5;
            o.DepositPollInterval = TimeSpan.FromSeconds(6);
        });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var client = provider.GetRequiredService<PayerClient>();

        client.Payer.ShouldBe(w.PayerKey.Address);
        client.Contract.Address.ShouldBe(Address.Parse(ContractText));
        (client.Options.ReconnectInitialDelay, client.Options.ReconnectMaxDelay, client.Options.ConnectTimeout, client.Options.RetryDelay)
            .ShouldBe((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)));
        client.Options.DepositConfirmations.ShouldBe(5);
        client.Options.DepositPollInterval.ShouldBe(TimeSpan.FromSeconds(6));
        client.Options.TimeProvider.ShouldBeSameAs(w.Clock);
        client.Options.ReceiptSigner.ShouldBeNull();
        (await client.GetChannelAsync(w.Key.ChannelId))!.Key.ShouldBe(w.Key); // read through the registered store
        Should.Throw<ArgumentNullException>(() => services.AddPayerClient(null!));
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPayerClient(_ => null!));
    }

    [Fact]
    public async Task AddPayerClient_NoTimeProviderRegistered_TheSystemClock()
    {
        using var w = new PayerWorld(100);
        var services = new ServiceCollection();
        services.AddSingleton(w.Rpc);
        services.AddSingleton<IPayerStore>(w.Store);
        services.AddPayerClient(_ => Ethereum.Signing.PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray()), o => o.Contract = ContractText);
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<PayerClient>().Options.TimeProvider.ShouldBeSameAs(TimeProvider.System);
    }

    private static PayerOptions Good() => new() { Contract = ContractText };

    private static List<string?> Errors(PayerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage)];
    }
}
