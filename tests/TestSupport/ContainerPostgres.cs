using System.Diagnostics;
using System.Globalization;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.PostgreSql;

namespace Settlement.Testing;

/// <summary>
/// PostgreSQL in a container through Testcontainers. On the default bridge network it uses the PostgreSQL module (a
/// mapped port); with host networking (machines where traffic to private-range addresses is not allowed) the server
/// listens on 127.0.0.1 at a free port given as <c>PGPORT</c>, and readiness is <c>pg_isready</c> inside the container.
/// </summary>
internal sealed class ContainerPostgres : TestPostgres
{
    private const string Password = "l2pay-test";
    private readonly IContainer _container;
    private readonly string _host;
    private readonly Func<int> _port;
    private readonly string _image;

    private ContainerPostgres(IContainer container, string host, Func<int> port, TimeSpan startup, string image)
    {
        _container = container;
        _host = host;
        _port = port;
        StartupTime = startup;
        _image = image;
    }

    public override TimeSpan StartupTime { get; }

    /// <summary>True when a Docker engine answers <c>/_ping</c> on <c>DOCKER_HOST</c> (unix socket) or /var/run/docker.sock.</summary>
    public static async Task<bool> DockerAnswersAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socket = host is { Length: > 0 } && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        if (!File.Exists(socket))
        {
            return false;
        }

        try
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await s.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), ct).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
                },
            };
            using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
            return (await http.GetAsync(new Uri("http://docker/_ping")).ConfigureAwait(false)).IsSuccessStatusCode;
        }
#pragma warning disable CA1031 // Any failure to reach an engine means "no Docker": fall back to the process.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    public static async Task<TestPostgres> StartAsync(string image, bool hostNetwork)
    {
        var watch = Stopwatch.StartNew();
        if (!hostNetwork)
        {
            var module = new PostgreSqlBuilder(image).WithUsername("postgres").WithPassword(Password).WithDatabase("postgres").Build();
            await module.StartAsync().ConfigureAwait(false);
            return new ContainerPostgres(module, module.Hostname, () => module.GetMappedPublicPort(5432), watch.Elapsed, image);
        }

        var port = FreePort();
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var container = new ContainerBuilder(image)
            .WithEnvironment("POSTGRES_PASSWORD", Password)
            .WithEnvironment("PGPORT", portText)
            .WithEnvironment("POSTGRES_LISTEN", "127.0.0.1")
            .WithCreateParameterModifier(p => (p.HostConfig ??= new Docker.DotNet.Models.HostConfig()).NetworkMode = "host")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilCommandIsCompleted("pg_isready", "-h", "127.0.0.1", "-p", portText))
            .Build();
        await container.StartAsync().ConfigureAwait(false);
        return new ContainerPostgres(container, "127.0.0.1", () => port, watch.Elapsed, image);
    }

    public override string GetConnectionString(string database = "postgres") => ConnectionString(_host, _port(), Password, database);

    public override ValueTask DisposeAsync() => _container.DisposeAsync();

    public override string ToString() => $"PostgreSQL container {_image} at {_host}:{_port()}";
}
