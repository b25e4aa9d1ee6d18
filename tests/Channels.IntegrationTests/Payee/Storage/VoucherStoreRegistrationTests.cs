extern alias postgres;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Settlement.Channels.Payee.Storage;
using postgres::Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.Channels.IntegrationTests.Payee.Storage;

public sealed class VoucherStoreRegistrationTests
{
    [Fact]
    public void AddSqliteVoucherStore_Path_ResolvesOneSqliteStore()
    {
        using var provider = new ServiceCollection().AddSqliteVoucherStore(Path.Combine(Path.GetTempPath(), "never-opened.db")).BuildServiceProvider();

        var store = provider.GetRequiredService<IVoucherStore>();

        store.ShouldBeOfType<SqliteVoucherStore>().ShouldBeSameAs(provider.GetRequiredService<SqliteVoucherStore>());
    }

    [Fact]
    public void AddSqliteVoucherStore_NoPath_ValidationNamesTheSetting()
    {
        using var provider = new ServiceCollection().AddSqliteVoucherStore(_ => { }).BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IVoucherStore>());

        ex.Message.ShouldContain(nameof(SqliteVoucherStoreOptions.Path));
    }

    [Fact]
    public void AddSqliteVoucherStore_Path_StoreOnThatFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "never-opened.db");
        using var provider = new ServiceCollection().AddSqliteVoucherStore(path).BuildServiceProvider();

        provider.GetRequiredService<IOptions<SqliteVoucherStoreOptions>>().Value.Path.ShouldBe(path);
        provider.GetRequiredService<SqliteVoucherStore>().Path.ShouldBe(path);
    }

    [Fact]
    public void AddSqliteVoucherStore_BadArguments_NameTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqliteVoucherStore("x.db")).ParamName.ShouldBe("services");
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddSqliteVoucherStore(" ")).ParamName.ShouldBe("path");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddSqliteVoucherStore(_ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddSqliteVoucherStore((Action<SqliteVoucherStoreOptions>)null!)).ParamName.ShouldBe("configure");
    }

    [Fact]
    public void SqliteVoucherStore_NoOptionsOrBlankPath_NamesTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => new SqliteVoucherStore(null!)).ParamName.ShouldBe("options");
        Should.Throw<ArgumentException>(() => new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = " " })).ParamName.ShouldBe("options.Path");
    }

    [Fact]
    public async Task AddPostgreSqlVoucherStore_ConnectionString_ResolvesOnePostgreSqlStore()
    {
        await using var provider = new ServiceCollection().AddPostgreSqlVoucherStore("Host=127.0.0.1;Port=1;Username=nobody").BuildServiceProvider();

        provider.GetRequiredService<IVoucherStore>().ShouldBeOfType<PostgreSqlVoucherStore>().ShouldBeSameAs(provider.GetRequiredService<PostgreSqlVoucherStore>());
        provider.GetRequiredKeyedService<NpgsqlDataSource>(PostgreSqlVoucherStoreServiceCollectionExtensions.DataSourceKey).ConnectionString.ShouldContain("Port=1");
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task AddPostgreSqlVoucherStore_NoConnectionString_FailsAtStartNamingTheSetting()
    {
        await using var provider = new ServiceCollection().AddPostgreSqlVoucherStore(_ => { }).BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        ex.OptionsType.ShouldBe(typeof(PostgreSqlVoucherStoreOptions));
        ex.Message.ShouldContain(nameof(PostgreSqlVoucherStoreOptions.ConnectionString));
    }

    [Fact]
    public void AddPostgreSqlVoucherStore_BadArguments_NameTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlVoucherStore("Host=x")).ParamName.ShouldBe("services");
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddPostgreSqlVoucherStore(" ")).ParamName.ShouldBe("connectionString");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPostgreSqlVoucherStore(_ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddPostgreSqlVoucherStore((Action<PostgreSqlVoucherStoreOptions>)null!)).ParamName.ShouldBe("configure");
    }

    [Fact]
    public void AddPostgreSqlVoucherStore_NoConnectionString_ValidationNamesTheSetting()
    {
        using var provider = new ServiceCollection().AddPostgreSqlVoucherStore(_ => { }).BuildServiceProvider();

        var ex = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IVoucherStore>());

        ex.Message.ShouldContain(nameof(PostgreSqlVoucherStoreOptions.ConnectionString));
    }
}
