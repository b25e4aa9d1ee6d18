extern alias postgres;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Settlement.Channels.Payer.Storage;
using postgres::Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.Channels.IntegrationTests.Payer.Storage;

/// <summary>What <c>AddSqlitePayerStore</c> and <c>AddPostgreSqlPayerStore</c> register and refuse, without opening the file or the database.</summary>
public sealed class PayerStoreRegistrationTests
{
    private static readonly string NeverOpened = Path.Combine(Path.GetTempPath(), "never-opened-payer.db");

    [Fact]
    public async Task AddSqlitePayerStore_Path_ResolvesOneSqliteStoreOnThatFile()
    {
        await using var provider = new ServiceCollection().AddSqlitePayerStore(NeverOpened).BuildServiceProvider();

        var store = provider.GetRequiredService<IPayerStore>();

        store.ShouldBeOfType<SqlitePayerStore>().ShouldBeSameAs(provider.GetRequiredService<SqlitePayerStore>());
        provider.GetRequiredService<SqlitePayerStore>().Path.ShouldBe(NeverOpened);
    }

    [Fact]
    public void AddSqlitePayerStore_NoPath_ValidationNamesTheSetting()
    {
        using var provider = new ServiceCollection().AddSqlitePayerStore(_ => { }).BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IPayerStore>());

        ex.OptionsType.ShouldBe(typeof(SqlitePayerStoreOptions));
        ex.Message.ShouldContain(nameof(SqlitePayerStoreOptions.Path));
    }

    [Fact]
    public void AddSqlitePayerStore_BadArguments_NameTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqlitePayerStore(NeverOpened)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddSqlitePayerStore(" ")).ParamName.ShouldBe("path");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqlitePayerStore(_ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddSqlitePayerStore((Action<SqlitePayerStoreOptions>)null!)).ParamName.ShouldBe("configure");
    }

    [Fact]
    public void SqlitePayerStore_BlankPath_Refused()
    {
        Should.Throw<ArgumentException>(() => new SqlitePayerStore(" ")).ParamName.ShouldBe("path");
    }

    [Fact]
    public async Task AddPostgreSqlPayerStore_ConnectionString_ResolvesOneStoreOnItsOwnDataSource()
    {
        await using var provider = new ServiceCollection().AddPostgreSqlPayerStore("Host=127.0.0.1;Port=1;Username=nobody").BuildServiceProvider();

        provider.GetRequiredService<IPayerStore>().ShouldBeOfType<PostgreSqlPayerStore>().ShouldBeSameAs(provider.GetRequiredService<PostgreSqlPayerStore>());
        provider.GetRequiredKeyedService<NpgsqlDataSource>(PostgreSqlPayerStoreServiceCollectionExtensions.DataSourceKey).ConnectionString.ShouldContain("Port=1");
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task AddPostgreSqlPayerStore_NoConnectionString_FailsAtStartNamingTheSetting()
    {
        await using var provider = new ServiceCollection().AddPostgreSqlPayerStore(_ => { }).BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        ex.OptionsType.ShouldBe(typeof(PostgreSqlPayerStoreOptions));
        ex.Message.ShouldContain(nameof(PostgreSqlPayerStoreOptions.ConnectionString));
        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IPayerStore>()).OptionsType.ShouldBe(typeof(PostgreSqlPayerStoreOptions));
    }

    [Fact]
    public void AddPostgreSqlPayerStore_BadArguments_NameTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlPayerStore("Host=x")).ParamName.ShouldBe("services");
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddPostgreSqlPayerStore(" ")).ParamName.ShouldBe("connectionString");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlPayerStore(_ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddPostgreSqlPayerStore((Action<PostgreSqlPayerStoreOptions>)null!)).ParamName.ShouldBe("configure");
    }
}
