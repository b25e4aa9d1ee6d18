using System.Globalization;
using Npgsql;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Payee.Storage;

/// <summary>
/// One throw-away PostgreSQL server for the whole run; each test gets its own fresh database. The server is a local
/// process by default, or a Testcontainers container (<see cref="TestPostgres"/>: <c>L2PAY_TEST_POSTGRES</c>,
/// <c>./test.sh --containers</c>) or one already running (<c>external</c>: its test databases are dropped on dispose).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly List<string> _databases = [];
    private TestPostgres? _server;

    /// <summary>The running server.</summary>
    public TestPostgres Server => _server ?? throw new InvalidOperationException("PostgreSQL has not been started.");

    public async Task InitializeAsync() => _server = await TestPostgres.StartAsync();

    /// <summary>Creates an empty database <c>t_&lt;guid&gt;</c> and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        await using (var connection = new NpgsqlConnection(Server.GetConnectionString()))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return Server.GetConnectionString(name);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is null)
        {
            return;
        }

        if (_server.IsShared)
        {
            await using var connection = new NpgsqlConnection(_server.GetConnectionString());
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }

        await _server.DisposeAsync();
    }
}
