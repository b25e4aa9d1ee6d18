extern alias postgres;

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Storage;
using postgres::Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.IntegrationTests.Payer;

/// <summary><c>AddPayerClient</c> and the payer store registrations: what resolves, and the exact start-up errors of bad settings.</summary>
public sealed class PayerRegistrationTests : IDisposable
{
    private const string ContractText = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-payer-di-");
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        _http.Dispose();
    }

    [Fact]
    public async Task AddPayerClient_ValidSettingsOnSqlite_ResolvesOneClientWithThem()
    {
        var clock = new FakeTimeProvider();
        var services = Services(options =>
        {
            options.Contract = ContractText;
            options.DepositConfirmations = 3;
            options.ReceiptSigner = "0x00000000000000000000000000000000000000aa";
            options.RetryDelay = TimeSpan.FromSeconds(2);
        });
        services.AddSingleton<TimeProvider>(clock);
        services.AddSqlitePayerStore(Path.Combine(_directory.FullName, "payer.db"));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var client = provider.GetRequiredService<PayerClient>();

        client.ShouldBeSameAs(provider.GetRequiredService<PayerClient>());
        client.Contract.Address.ShouldBe(Address.Parse(ContractText));
        client.ChainId.ShouldBe(31337UL);
        client.Payer.ShouldBe(provider.GetRequiredKeyedService<PrivateKey>(PayerServiceCollectionExtensions.PayerKeyServiceKey).Address);
        client.Options.TimeProvider.ShouldBeSameAs(clock);
        client.Options.DepositConfirmations.ShouldBe(3);
        client.Options.RetryDelay.ShouldBe(TimeSpan.FromSeconds(2));
        client.Options.ReceiptSigner.ShouldBe(Address.Parse("0x00000000000000000000000000000000000000aa"));
        client.Options.Transactor.ShouldBeNull();
        provider.GetRequiredService<IPayerStore>().ShouldBeOfType<SqlitePayerStore>();
        (await client.ListChannelsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task AddPayerClient_OnPostgreSql_ResolvesThePostgreSqlStore()
    {
        var services = Services(options => options.Contract = ContractText);
        services.AddPostgreSqlPayerStore("Host=127.0.0.1;Port=1;Username=nobody");
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<PayerClient>().ShouldNotBeNull();
        provider.GetRequiredService<IPayerStore>().ShouldBeOfType<PostgreSqlPayerStore>();
    }

    [Fact]
    public async Task AddPayerClient_ContractNotAnAddress_FailsAtStartNamingTheSetting()
    {
        var services = Services(options => options.Contract = "0x1234");
        services.AddSqlitePayerStore(Path.Combine(_directory.FullName, "payer.db"));
        await using var provider = services.BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        ex.Message.ShouldBe(Failure("Contract", "Payer:Contract must be a 20-byte hex address; got '0x1234'."));
        File.Exists(Path.Combine(_directory.FullName, "payer.db")).ShouldBeFalse();
    }

    [Fact]
    public async Task AddPayerClient_SeveralBadSettings_EachNamedInOrder()
    {
        var services = Services(options =>
        {
            options.Contract = ContractText;
            options.ReconnectInitialDelay = TimeSpan.FromSeconds(5);
            options.ReconnectMaxDelay = TimeSpan.FromSeconds(1);
            options.ConnectTimeout = TimeSpan.Zero;
            options.DepositConfirmations = -1;
            options.ReceiptSigner = "payee";
        });
        services.AddSqlitePayerStore(Path.Combine(_directory.FullName, "payer.db"));
        await using var provider = services.BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PayerOptions>>().Value);

        ex.Failures.ShouldBe(
        [
            Failure("ReceiptSigner", "Payer:ReceiptSigner must be a 20-byte hex address; got 'payee'."),
            Failure("ReconnectMaxDelay", "Payer:ReconnectMaxDelay must not be shorter than Payer:ReconnectInitialDelay."),
            Failure("ConnectTimeout", "Payer:ConnectTimeout must be positive."),
            Failure("DepositConfirmations", "Payer:DepositConfirmations must be between 0 and 1000."),
        ]);
    }

    [Fact]
    public async Task AddPayerClient_ZeroDelays_Refused()
    {
        var services = Services(options =>
        {
            options.Contract = ContractText;
            options.ReconnectInitialDelay = TimeSpan.Zero;
            options.RetryDelay = TimeSpan.FromMilliseconds(-1);
            options.DepositConfirmations = 1_001;
        });
        services.AddSqlitePayerStore(Path.Combine(_directory.FullName, "payer.db"));
        await using var provider = services.BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        ex.Failures.ShouldBe(
        [
            Failure("ReconnectInitialDelay", "Payer:ReconnectInitialDelay must be positive."),
            Failure("RetryDelay", "Payer:RetryDelay must be positive."),
            Failure("DepositConfirmations", "Payer:DepositConfirmations must be between 0 and 1000."),
        ]);
    }

    [Fact]
    public async Task AddSqlitePayerStore_NoPath_FailsAtStartNamingTheSetting()
    {
        var services = Services(options => options.Contract = ContractText);
        services.AddSqlitePayerStore(_ => { });
        await using var provider = services.BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        ex.Message.ShouldContain(nameof(SqlitePayerStoreOptions.Path));
    }

    [Fact]
    public async Task AddPostgreSqlPayerStore_NoConnectionString_FailsAtStartNamingTheSetting()
    {
        var services = Services(options => options.Contract = ContractText);
        services.AddPostgreSqlPayerStore(_ => { });
        await using var provider = services.BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        ex.Message.ShouldContain(nameof(PostgreSqlPayerStoreOptions.ConnectionString));
    }

    private static string Failure(string member, string error) =>
        $"DataAnnotation validation failed for '{nameof(PayerOptions)}' members: '{member}' with the error: '{error}'.";

    private ServiceCollection Services(Action<PayerOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(new EthereumRpcClient(_http, new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:1"), ChainId = 31337 }));
        services.AddPayerClient(_ => PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray()), configure);
        return services;
    }
}
