using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>What <c>AddSqliteLedgerStore</c> registers and refuses.</summary>
public sealed partial class SqliteLedgerStoreTests
{
    [Fact]
    public async Task AddSqliteLedgerStore_Path_OneStoreOnThatFileBehindEveryInterfaceOnTheRegisteredClock()
    {
        var clock = new FakeTimeProvider(T0.AddDays(1));
        await using var provider = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddSqliteLedgerStore(DatabasePath).BuildServiceProvider();

        var store = provider.GetRequiredService<SqliteLedgerStore>();

        store.Path.ShouldBe(DatabasePath);
        provider.GetRequiredService<ILedgerStore>().ShouldBeSameAs(store);
        provider.GetRequiredService<IChainIndexStore>().ShouldBeSameAs(store);
        provider.GetRequiredService<IFlowStore>().ShouldBeSameAs(store);
        provider.GetRequiredService<ISweepingConsentStore>().ShouldBeSameAs(store);
        File.Exists(DatabasePath).ShouldBeFalse();
        (await store.CreateAccountsAsync([UserAccount(50)])).ShouldBe([CreateAccountResult.Ok]);
        (await store.LookupAccountsAsync([50])).ShouldHaveSingleItem().CreatedAt.ShouldBe(T0.AddDays(1));
    }

    [Fact]
    public async Task AddSqliteLedgerStore_NoClockRegistered_TheSystemClock()
    {
        await using var provider = new ServiceCollection().AddSqliteLedgerStore(options => options.Path = DatabasePath).BuildServiceProvider();

        provider.GetRequiredService<ILedgerStore>().ShouldBeOfType<SqliteLedgerStore>().Path.ShouldBe(DatabasePath);
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
    }

    [Fact]
    public void AddSqliteLedgerStore_NoPath_ValidationNamesTheSetting()
    {
        using var provider = new ServiceCollection().AddSqliteLedgerStore(_ => { }).BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<ILedgerStore>());

        ex.OptionsType.ShouldBe(typeof(SqliteLedgerStoreOptions));
        ex.Message.ShouldContain(nameof(SqliteLedgerStoreOptions.Path));
    }

    [Fact]
    public void AddSqliteLedgerStore_BadArguments_RefusedByNameServicesFirst()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqliteLedgerStore(DatabasePath)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqliteLedgerStore((string)null!)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddSqliteLedgerStore(" ")).ParamName.ShouldBe("path");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqliteLedgerStore(_ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqliteLedgerStore((Action<SqliteLedgerStoreOptions>)null!)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddSqliteLedgerStore((Action<SqliteLedgerStoreOptions>)null!)).ParamName.ShouldBe("configure");
    }
}
