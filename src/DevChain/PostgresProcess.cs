using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Settlement.DevChain;

/// <summary>
/// A throw-away PostgreSQL server run as a child process for tests and demos: a fresh cluster (<c>initdb</c>, trust
/// authentication, superuser <c>postgres</c>) in a temporary folder, listening on 127.0.0.1 and on a Unix socket in
/// that folder, ready once <c>pg_isready</c> says it accepts connections. Dispose stops it (fast shutdown, then the
/// process tree is killed) and deletes the folder; if the starting process dies without disposing, the server stops
/// by itself (fast shutdown) and the folder is deleted (<see cref="ParentLifetime"/>). Never for production.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root. Run as root (as the test machines do), every server binary is started through
/// <c>runuser -u postgres --</c> and the folder is given to that user. This launcher only starts processes: it has no
/// PostgreSQL client library; callers connect with <see cref="GetConnectionString"/>.
/// </remarks>
public sealed class PostgresProcess : IAsyncDisposable, IDisposable
{
    /// <summary>Environment variable that names the PostgreSQL bin folder explicitly (wins over the search).</summary>
    public const string BinDirectoryEnvironmentVariable = "L2PAY_POSTGRES_BIN";

    /// <summary>The operating-system account that runs the server when this process is root.</summary>
    public const string ServiceAccount = "postgres";

    private const int MaxAttempts = 3;
    private const int MaxOutputChars = 100_000;
    private readonly StringBuilder _output = new();
    private readonly string _binDirectory;
    private readonly bool _asServiceAccount;
    private Process? _process;

    private PostgresProcess(string binDirectory, string dataDirectory, bool asServiceAccount)
    {
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        _asServiceAccount = asServiceAccount;
    }

    /// <summary>The host the server listens on.</summary>
    public static string Host => "127.0.0.1";

    /// <summary>The superuser (trust authentication: no password).</summary>
    public static string UserName => "postgres";

    /// <summary>The TCP port on <see cref="Host"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The cluster's folder (also holds the Unix socket); deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>How long <c>initdb</c> plus server start took.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>The tail of what the server and <c>initdb</c> wrote (for error messages); kept after dispose.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A key=value connection string (libpq and Npgsql both read it) for <paramref name="database"/>.</summary>
    public string GetConnectionString(string database = "postgres")
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return string.Create(CultureInfo.InvariantCulture, $"Host={Host};Port={Port};Username={UserName};Database={database}");
    }

    /// <summary>
    /// The PostgreSQL bin folder: <see cref="BinDirectoryEnvironmentVariable"/> if set, else the newest
    /// <c>/usr/lib/postgresql/N/bin</c> (Debian), else the folder of <c>initdb</c> on PATH.
    /// </summary>
    /// <exception cref="FileNotFoundException">None found; the message says how to install it.</exception>
    public static string FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable(BinDirectoryEnvironmentVariable) is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new FileNotFoundException($"{BinDirectoryEnvironmentVariable} names '{configured}', which has no initdb.", configured);
        }

        const string Debian = "/usr/lib/postgresql";
        if (Directory.Exists(Debian))
        {
            var newest = Directory.GetDirectories(Debian)
                .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(x => x.Version >= 0 && File.Exists(Path.Combine(x.Dir, "bin", "initdb")))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return Path.Combine(newest.Dir, "bin");
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }

        throw new FileNotFoundException(
            $"PostgreSQL server binaries not found (no initdb under {Debian}/*/bin or on PATH): install the 'postgresql' package "
            + $"(.ci/bootstrap.sh does) or set {BinDirectoryEnvironmentVariable}.");
    }

    /// <summary>Creates a cluster, starts the server and waits until it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">It did not start (the message carries its output).</exception>
    public static async Task<PostgresProcess> StartAsync(PostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        var started = Stopwatch.StartNew();
        var binDirectory = options.BinDirectory ?? FindBinDirectory();
        var asServiceAccount = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var dataDirectory = Directory.CreateTempSubdirectory("l2pay-pg-").FullName;
        var server = new PostgresProcess(binDirectory, dataDirectory, asServiceAccount);
        try
        {
            if (asServiceAccount)
            {
                await server.RunToEndAsync("chown", [$"{ServiceAccount}:{ServiceAccount}", dataDirectory], cancellationToken).ConfigureAwait(false);
            }

            // --no-sync: the cluster is thrown away, so initdb need not flush its files (the server itself runs with fsync).
            await server.RunToEndAsync(
                Path.Combine(binDirectory, "initdb"),
                ["-D", dataDirectory, "-A", "trust", "-U", UserName, "-E", "UTF8", "--locale=C", "--no-sync"],
                cancellationToken).ConfigureAwait(false);

            InvalidOperationException? last = null;
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                server.Port = options.Port != 0 ? options.Port : FreePort();
                try
                {
                    await server.RunServerAsync(options, cancellationToken).ConfigureAwait(false);
                    server.StartupTime = started.Elapsed;
                    return server;
                }
                catch (InvalidOperationException ex) when (options.Port == 0)
                {
                    // Most likely another process took the port between probing and binding: try another.
                    last = ex;
                    server.StopServer();
                }
            }

            throw new InvalidOperationException($"PostgreSQL did not start after {MaxAttempts.ToString(CultureInfo.InvariantCulture)} attempts: {last?.Message}", last);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown, then kills its process tree) and deletes the cluster folder (idempotent).</summary>
    public void Dispose()
    {
        StopServer();
        for (var attempt = 0; attempt < 5 && Directory.Exists(DataDirectory); attempt++)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException) when (attempt < 4)
            {
                // A backend still exiting may write a file; try again shortly.
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException) when (attempt < 4)
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"PostgreSQL at {Host}:{Port} ({DataDirectory})");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task RunServerAsync(PostgresOptions options, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            "-D", DataDirectory, "-k", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-c", $"listen_addresses={Host}",
        };
        foreach (var (name, value) in options.Settings)
        {
            arguments.Add("-c");
            arguments.Add($"{name}={value}");
        }

        // Bound to this process: if it dies without disposing, the script stops the server with SIGINT (PostgreSQL's fast
        // shutdown: clients disconnected, shared memory released) and deletes the cluster folder. Inside runuser, so the
        // script runs as the server's account and may signal it and delete the folder it owns.
        var server = new ProcessStartInfo(Path.Combine(_binDirectory, "postgres"));
        arguments.ForEach(server.ArgumentList.Add);
        ParentLifetime.Bind(server, PosixSignal.SIGINT, removeWhenOrphaned: DataDirectory);
        var process = new Process { StartInfo = CreateStartInfo(server.FileName, [.. server.ArgumentList], _asServiceAccount) };
        process.StartInfo.RedirectStandardInput = true;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException("Could not start postgres.");
        }

        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.StartTimeout);
        var ready = Path.Combine(_binDirectory, "pg_isready");
        string[] probe = ["-q", "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-t", "1"];
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"postgres exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)} during start-up. Output:\n{Output}");
            }

            try
            {
                // Exit code 0: accepting connections (1 = still starting up, 2 = no answer yet).
                if (await RunAsync(ready, probe, asServiceAccount: false, capture: false, limit.Token).ConfigureAwait(false) == 0)
                {
                    return;
                }

                await Task.Delay(50, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not accept connections within {options.StartTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Output:\n{Output}");
            }
        }
    }

    private void StopServer()
    {
        var process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                // Fast shutdown lets the server release its shared memory; the kill below is the fallback.
                using var stop = new Process
                {
                    StartInfo = CreateStartInfo(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "10", "-s"], _asServiceAccount),
                };
                stop.Start();
                stop.StandardOutput.ReadToEnd();
                stop.StandardError.ReadToEnd();
                stop.WaitForExit(15_000);
                if (!process.WaitForExit(10_000))
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_ctl could not be started: kill instead.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    private static ProcessStartInfo CreateStartInfo(string fileName, IReadOnlyList<string> arguments, bool asServiceAccount)
    {
        var info = new ProcessStartInfo(asServiceAccount ? "runuser" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServiceAccount)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(ServiceAccount);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private async Task RunToEndAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var asServiceAccount = _asServiceAccount && !string.Equals(fileName, "chown", StringComparison.Ordinal);
        var code = await RunAsync(fileName, arguments, asServiceAccount, capture: true, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} failed with exit code {code.ToString(CultureInfo.InvariantCulture)}. Output:\n{Output}");
        }
    }

    private async Task<int> RunAsync(string fileName, IReadOnlyList<string> arguments, bool asServiceAccount, bool capture, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = CreateStartInfo(fileName, arguments, asServiceAccount) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        if (capture)
        {
            Append(text);
        }

        return process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Keep the tail only: a long-running server can log a lot.
            if (_output.Length > MaxOutputChars)
            {
                _output.Remove(0, MaxOutputChars / 2);
            }

            _output.AppendLine(line);
        }
    }
}
