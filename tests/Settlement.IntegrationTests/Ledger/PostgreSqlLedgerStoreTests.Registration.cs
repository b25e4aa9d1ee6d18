using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.PostgreSql;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>What <c>AddPostgreSqlLedgerStore</c> registers and refuses.</summary>
public sealed partial class PostgreSqlLedgerStoreTests
{
    [Fact]
    public async Task AddPostgreSqlLedgerStore_ConnectionString_OneStoreBehindEveryInterfaceOnTheRegisteredClock()
    {
        var clock = new FakeTimeProvider(T0.AddDays(1));
        await using var provider = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddPostgreSqlLedgerStore(ConnectionString).BuildServiceProvider();

        var store = provider.GetRequiredService<PostgreSqlLedgerStore>();

        provider.GetRequiredService<ILedgerStore>().ShouldBeSameAs(store);
        provider.GetRequiredService<IChainIndexStore>().ShouldBeSameAs(store);
        provider.GetRequiredService<IFlowStore>().ShouldBeSameAs(store);
        provider.GetRequiredService<ISweepingConsentStore>().ShouldBeSameAs(store);
        var dataSource = provider.GetRequiredKeyedService<NpgsqlDataSource>(PostgreSqlLedgerStoreServiceCollectionExtensions.DataSourceKey);
        new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database.ShouldBe(new NpgsqlConnectionStringBuilder(ConnectionString).Database);
        await store.MigrateAsync();
        (await store.CreateAccountsAsync([UserAccount(50)])).ShouldBe([CreateAccountResult.Ok]);
        (await store.LookupAccountsAsync([50])).ShouldHaveSingleItem().CreatedAt.ShouldBe(T0.AddDays(1));
    }

    [Fact]
    public async Task AddPostgreSqlLedgerStore_NoClockRegistered_TheSystemClock_DataSourceDisposedWithTheContainer()
    {
        NpgsqlDataSource dataSource;
        await using (var provider = new ServiceCollection().AddPostgreSqlLedgerStore(options => options.ConnectionString = ConnectionString).BuildServiceProvider())
        {
            provider.GetRequiredService<ILedgerStore>().ShouldBeOfType<PostgreSqlLedgerStore>();
            provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
            dataSource = provider.GetRequiredKeyedService<NpgsqlDataSource>(PostgreSqlLedgerStoreServiceCollectionExtensions.DataSourceKey);
            await using var open = await dataSource.OpenConnectionAsync();
        }

        await Should.ThrowAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
    }

    [Theory]
    [InlineData(null, 10, "ConnectionString")]
    [InlineData(" ", 10, "ConnectionString")]
    [InlineData("Host=127.0.0.1", -1, "MaxRetries")]
    [InlineData("Host=127.0.0.1", 101, "MaxRetries")]
    public void AddPostgreSqlLedgerStore_BadOptions_ValidationNamesTheSetting(string? connectionString, int maxRetries, string setting)
    {
        using var provider = new ServiceCollection()
            .AddPostgreSqlLedgerStore(options => (options.ConnectionString, options.MaxRetries) = (connectionString, maxRetries))
            .BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<ILedgerStore>());

        ex.OptionsType.ShouldBe(typeof(PostgreSqlLedgerStoreOptions));
        ex.Failures.ShouldHaveSingleItem().ShouldContain(setting);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void AddPostgreSqlLedgerStore_MaxRetriesAtTheEdges_Accepted(int maxRetries)
    {
        using var provider = new ServiceCollection()
            .AddPostgreSqlLedgerStore(options => (options.ConnectionString, options.MaxRetries) = (ConnectionString, maxRetries))
            .BuildServiceProvider();

        provider.GetRequiredService<IOptions<PostgreSqlLedgerStoreOptions>>().Value.MaxRetries.ShouldBe(maxRetries);
        provider.GetRequiredService<ILedgerStore>().ShouldBeOfType<PostgreSqlLedgerStore>();
    }

    [Fact]
    public void AddPostgreSqlLedgerStore_Defaults_TenRetriesNoConnectionString()
    {
        var options = new PostgreSqlLedgerStoreOptions();

        options.MaxRetries.ShouldBe(10);
        options.ConnectionString.ShouldBeNull();
        PostgreSqlLedgerStoreOptions.SectionName.ShouldBe("Settlement:Ledger:PostgreSql");
    }

    [Fact]
    public void AddPostgreSqlLedgerStore_BadArguments_RefusedByNameServicesFirst()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlLedgerStore(ConnectionString)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlLedgerStore((string)null!)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddPostgreSqlLedgerStore(" ")).ParamName.ShouldBe("connectionString");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddPostgreSqlLedgerStore((string)null!)).ParamName.ShouldBe("connectionString");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlLedgerStore(_ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlLedgerStore((Action<PostgreSqlLedgerStoreOptions>)null!)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddPostgreSqlLedgerStore((Action<PostgreSqlLedgerStoreOptions>)null!)).ParamName.ShouldBe("configure");
    }
}
