using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Settlement.DevChain;

namespace Settlement.Testing;

/// <summary>
/// A throw-away PostgreSQL 15 server for a test run, from one of two providers chosen by the environment variable
/// <see cref="ProviderVariable"/>: <c>process</c> (the default here and in CI: a local server process,
/// <see cref="PostgresProcess"/>), <c>container</c> (Testcontainers; needs a Docker engine) or <c>auto</c> (a container
/// when a Docker engine answers, else the process) or <c>external</c> (a server that is already running, named by
/// <see cref="ConnectionVariable"/>; the mutation script starts one for a whole Stryker run instead of one per test
/// run). <c>./test.sh --containers</c> selects the container path.
/// </summary>
public abstract class TestPostgres : IAsyncDisposable
{
    /// <summary>Selects the provider: <c>process</c> (default), <c>container</c> or <c>auto</c>.</summary>
    public const string ProviderVariable = "L2PAY_TEST_POSTGRES";

    /// <summary>The container image (default <c>postgres:15</c>).</summary>
    public const string ImageVariable = "L2PAY_TEST_POSTGRES_IMAGE";

    /// <summary><c>host</c> runs the container on the host's network (all traffic on 127.0.0.1); default: the bridge with a mapped port.</summary>
    public const string NetworkVariable = "L2PAY_TEST_POSTGRES_NETWORK";

    /// <summary>
    /// For <c>external</c>: a key=value connection string of a running server as a superuser that may create databases
    /// (its <c>Database</c> is the one to connect to for that; each test still makes a fresh database of its own).
    /// </summary>
    public const string ConnectionVariable = "L2PAY_TEST_POSTGRES_CONNECTION";

    /// <summary>
    /// True when the server outlives this run (<c>external</c>): disposing leaves it running, so whoever creates
    /// databases on it drops them again.
    /// </summary>
    public virtual bool IsShared => false;

    /// <summary>How long the server took to accept connections.</summary>
    public abstract TimeSpan StartupTime { get; }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public abstract string GetConnectionString(string database = "postgres");

    /// <summary>Stops the server and removes what it left.</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Starts a server from the provider the environment selects.</summary>
    public static async Task<TestPostgres> StartAsync()
    {
        var provider = Environment.GetEnvironmentVariable(ProviderVariable)?.Trim().ToLowerInvariant();
        return provider switch
        {
            null or "" or "process" => new ProcessPostgres(await PostgresProcess.StartAsync().ConfigureAwait(false)),
            "container" => await ContainerPostgres.StartAsync(Image, HostNetwork).ConfigureAwait(false),
            "auto" => await ContainerPostgres.DockerAnswersAsync().ConfigureAwait(false)
                ? await ContainerPostgres.StartAsync(Image, HostNetwork).ConfigureAwait(false)
                : new ProcessPostgres(await PostgresProcess.StartAsync().ConfigureAwait(false)),
            "external" => ExternalPostgres.FromEnvironment(),
            _ => throw new InvalidOperationException($"{ProviderVariable}='{provider}': use process, container, auto or external."),
        };
    }

    private static string Image => Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : "postgres:15";

    private static bool HostNetwork => string.Equals(Environment.GetEnvironmentVariable(NetworkVariable), "host", StringComparison.OrdinalIgnoreCase);

    /// <summary>A free TCP port on 127.0.0.1 (for a container on the host's network).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string ConnectionString(string host, int port, string password, string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host={host};Port={port};Username=postgres;Password={password};Database={database}");

    /// <summary>The local server process (<see cref="PostgresProcess"/>).</summary>
    private sealed class ProcessPostgres(PostgresProcess server) : TestPostgres
    {
        public override TimeSpan StartupTime => server.StartupTime;

        public override string GetConnectionString(string database = "postgres") => server.GetConnectionString(database);

        public override ValueTask DisposeAsync() => server.DisposeAsync();

        public override string ToString() => server.ToString() ?? "PostgreSQL process";
    }

    /// <summary>A server started outside this run (<see cref="ConnectionVariable"/>); never stopped here.</summary>
    private sealed class ExternalPostgres(DbConnectionStringBuilder connection) : TestPostgres
    {
        public override TimeSpan StartupTime => TimeSpan.Zero;

        public override bool IsShared => true;

        internal static ExternalPostgres FromEnvironment()
        {
            var text = Environment.GetEnvironmentVariable(ConnectionVariable);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new InvalidOperationException($"{ProviderVariable}=external needs {ConnectionVariable} (Host=…;Port=…;Username=…).");
            }

            return new ExternalPostgres(new DbConnectionStringBuilder { ConnectionString = text });
        }

        public override string GetConnectionString(string database = "postgres")
        {
            ArgumentException.ThrowIfNullOrEmpty(database);
            var copy = new DbConnectionStringBuilder { ConnectionString = connection.ConnectionString };
            copy["Database"] = database;
            return copy.ConnectionString;
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public override string ToString() => "PostgreSQL (external)";
    }
}
