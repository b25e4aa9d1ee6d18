using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.Channels.IntegrationTests.Payer.Storage;

/// <summary>What <c>AddSqlitePayerStore</c> registers and refuses, without opening the file.</summary>
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
}
