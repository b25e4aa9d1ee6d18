using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Ethereum.Rpc;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Source;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// The indexer's options (each refusal with its exact text, the stream name's default) and <c>AddChainIndexer</c>
/// (what it registers, which registrations it leaves alone, validation at resolve time).
/// </summary>
public sealed class IndexerSetupTests
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private const string Token = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

    private static IndexerOptions Valid() => new() { ChainId = 31337, ChannelContract = Contract, Token = Token };

    private static string[] Errors(IndexerOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage!)];
    }

    [Fact]
    public void Validate_Defaults_NoErrorsAndTheDocumentedValues()
    {
        var options = Valid();

        Errors(options).ShouldBeEmpty();
        (options.TokenLedger, options.Confirmations, options.InitialBlockRange, options.MinBlockRange, options.MaxBlockRange, options.PollInterval)
            .ShouldBe((Settlement.Service.Ledger.LedgerAssets.Tgbp, 12, 2_000, 1, 10_000, TimeSpan.FromSeconds(2)));
        IndexerOptions.SectionName.ShouldBe("Settlement:Indexer");
    }

    [Fact]
    public void Validate_ContractNotAnAddress_RefusedNamingTheSettingAndTheValue() =>
        Errors(Set(o => o.ChannelContract = "0x12")).ShouldBe(["Settlement:Indexer:ChannelContract '0x12' is not an address."]);

    [Fact]
    public void Validate_TokenNotAnAddress_RefusedNamingTheSettingAndTheValue() =>
        Errors(Set(o => o.Token = "0x5FbDB2315678afecb367f032d93F642f64180aaZ")).ShouldBe(["Settlement:Indexer:Token '0x5FbDB2315678afecb367f032d93F642f64180aaZ' is not an address."]);

    [Fact]
    public void Validate_BothAddressesBad_BothReportedInOrder() =>
        Errors(Set(o => (o.ChannelContract, o.Token) = ("contract", "token"))).ShouldBe(
        [
            "Settlement:Indexer:ChannelContract 'contract' is not an address.",
            "Settlement:Indexer:Token 'token' is not an address.",
        ]);

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 5, 9)]
    [InlineData(5, 9, 9)]
    public void Validate_RangesInOrder_Accepted(int min, int initial, int max) =>
        Errors(Set(o => (o.MinBlockRange, o.InitialBlockRange, o.MaxBlockRange) = (min, initial, max))).ShouldBeEmpty();

    [Theory]
    [InlineData(6, 5, 9)]
    [InlineData(5, 10, 9)]
    public void Validate_RangesOutOfOrder_RefusedWithAllThree(int min, int initial, int max) =>
        Errors(Set(o => (o.MinBlockRange, o.InitialBlockRange, o.MaxBlockRange) = (min, initial, max))).ShouldBe(
            [$"Settlement:Indexer block ranges must satisfy MinBlockRange ({min}) ≤ InitialBlockRange ({initial}) ≤ MaxBlockRange ({max})."]);

    [Fact]
    public void Validate_MissingAddressesAndZeroChain_RefusedByTheAnnotations() =>
        Errors(Set(o => (o.ChainId, o.ChannelContract, o.Token) = (0, "", null))).Length.ShouldBe(3);

    [Fact]
    public void StreamName_NotSet_ChainContractAndTokenInLowerCase()
    {
        Valid().StreamName.ShouldBe("31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
        Set(o => o.Stream = "").StreamName.ShouldBe("31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    }

    [Fact]
    public void StreamName_Set_UsedAsGiven() =>
        Set(o => o.Stream = "Main-Stream").StreamName.ShouldBe("Main-Stream");

    // ------------------------------------------------------------------ AddChainIndexer

    [Fact]
    public void AddChainIndexer_NullArguments_Refused()
    {
        Should.Throw<ArgumentNullException>(() => ChainIndexerServiceCollectionExtensions.AddChainIndexer(null!)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => ChainIndexerServiceCollectionExtensions.AddChainIndexer(null!, _ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddChainIndexer((Action<IndexerOptions>)null!)).ParamName.ShouldBe("configure");
    }

    [Fact]
    public void AddChainIndexer_Configured_UsesTheRegisteredSourceStoreAndClock()
    {
        var chain = new ScriptedChain();
        var store = new MemoryChainIndexStore();
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection()
            .AddSingleton<IChainSource>(chain)
            .AddSingleton<IChainIndexStore>(store)
            .AddSingleton<TimeProvider>(clock);

        services.AddChainIndexer(o => (o.ChainId, o.ChannelContract, o.Token, o.InitialBlockRange) = (31337, Contract, Token, 77)).ShouldBeSameAs(services);

        using var provider = services.BuildServiceProvider();
        var indexer = provider.GetRequiredService<ChainIndexer>();
        indexer.ShouldBeSameAs(provider.GetRequiredService<ChainIndexer>());
        indexer.Stream.ShouldBe("31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
        indexer.BlockRange.ShouldBe(77);
        provider.GetRequiredService<IChainSource>().ShouldBeSameAs(chain);
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(clock);
        services.Count(d => d.ServiceType == typeof(TimeProvider)).ShouldBe(1);
        services.Count(d => d.ServiceType == typeof(IChainSource)).ShouldBe(1);
    }

    [Fact]
    public void AddChainIndexer_Nothing_RegistersTheSystemClockAndAnRpcSource()
    {
        var services = new ServiceCollection();

        services.AddChainIndexer(o => (o.ChainId, o.ChannelContract, o.Token) = (31337, Contract, Token));

        var clock = services.Single(d => d.ServiceType == typeof(TimeProvider));
        (clock.ImplementationInstance, clock.Lifetime).ShouldBe((TimeProvider.System, ServiceLifetime.Singleton));
        services.Single(d => d.ServiceType == typeof(IChainSource)).Lifetime.ShouldBe(ServiceLifetime.Singleton);
        services.Single(d => d.ServiceType == typeof(ChainIndexer)).Lifetime.ShouldBe(ServiceLifetime.Singleton);

        using var http = new HttpClient();
        services.AddSingleton(new EthereumRpcClient(http, new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:1"), ChainId = 31337 }));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IChainSource>().ShouldBeOfType<RpcChainSource>();
    }

    [Fact]
    public void AddChainIndexer_FromSection_BoundFromThatSectionAndValidated()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Idx:ChainId"] = "31337",
            ["Idx:ChannelContract"] = Contract,
            ["Idx:Token"] = "nope",
            ["Idx:Stream"] = "from-section",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);

        services.AddChainIndexer("Idx");

        using var provider = services.BuildServiceProvider();
        var bad = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<IndexerOptions>>().Value);
        bad.Failures.ShouldBe(["DataAnnotation validation failed for 'IndexerOptions' members: 'Token' with the error: 'Settlement:Indexer:Token 'nope' is not an address.'."]);
        services.Any(d => d.ServiceType == typeof(IValidateOptions<IndexerOptions>)).ShouldBeTrue();
    }

    [Fact]
    public void AddChainIndexer_FromSectionValid_StreamFromTheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Idx:ChainId"] = "31337",
            ["Idx:ChannelContract"] = Contract,
            ["Idx:Token"] = Token,
            ["Idx:Stream"] = "from-section",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IChainSource>(new ScriptedChain())
            .AddSingleton<IChainIndexStore>(new MemoryChainIndexStore());

        services.AddChainIndexer("Idx");

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<ChainIndexer>().Stream.ShouldBe("from-section");
    }

    private static IndexerOptions Set(Action<IndexerOptions> change)
    {
        var options = Valid();
        change(options);
        return options;
    }
}
