extern alias postgres;

using Microsoft.Extensions.DependencyInjection;
using Settlement.Channels.Payee.Storage;
using postgres::Settlement.Channels.Storage.PostgreSql;

namespace Settlement.Channels.IntegrationTests.Storage.PostgreSql;

/// <summary>The registration both PostgreSQL stores share, called directly: its own argument checks.</summary>
public sealed class PostgreSqlStoreRegistrationTests
{
    [Fact]
    public void Add_NullArguments_NameTheParameter()
    {
        Should.Throw<ArgumentNullException>(() => Add(null!, _ => { })).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => Add(new ServiceCollection(), null!)).ParamName.ShouldBe("configure");
    }

    private static IServiceCollection Add(IServiceCollection services, Action<PostgreSqlVoucherStoreOptions> configure) =>
        PostgreSqlStoreRegistration.Add<PostgreSqlVoucherStoreOptions, PostgreSqlVoucherStore, IVoucherStore>(
            services, configure, "test", (dataSource, maxRetries, logger) => new PostgreSqlVoucherStore(dataSource, maxRetries, logger));
}
