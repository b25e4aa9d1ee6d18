using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Settlement.Ethereum.DevChain;

/// <summary>
/// A local Anvil node (Foundry; the binary comes with the <c>@foundry-rs/anvil</c> npm package in <c>contracts/</c>)
/// run as a child process: started on 127.0.0.1, ready once <c>eth_chainId</c> answers, killed with its process
/// tree on dispose. For developers and demos that need a throw-away chain; never for production.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable, IDisposable
{
    /// <summary>Where the npm package puts the binary, relative to the repository root.</summary>
    public static readonly string RelativeBinaryPath = Path.Combine("contracts", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");

    /// <summary>Environment variable that names the Anvil binary explicitly (wins over the repository search).</summary>
    public const string BinaryEnvironmentVariable = "L2PAY_ANVIL";

    private const int MaxOutputChars = 100_000;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private AnvilProcess(Uri rpcUrl, ulong chainId)
    {
        RpcUrl = rpcUrl;
        ChainId = chainId;
    }

    /// <summary>The node's HTTP JSON-RPC endpoint, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The chain id the node reported.</summary>
    public ulong ChainId { get; }

    /// <summary>The tail of what the node wrote to stdout and stderr (for error messages).</summary>
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

    /// <summary>
    /// The Anvil binary: <see cref="BinaryEnvironmentVariable"/> if set, else <see cref="RelativeBinaryPath"/> under the
    /// nearest folder above <paramref name="startDirectory"/> (default <see cref="AppContext.BaseDirectory"/>) that holds
    /// <c>Settlement.sln</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No binary found; the message says how to install it.</exception>
    public static string FindBinary(string? startDirectory = null)
    {
        if (Environment.GetEnvironmentVariable(BinaryEnvironmentVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"{BinaryEnvironmentVariable} names '{configured}', which does not exist.", configured);
        }

        for (var dir = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Settlement.sln")))
            {
                var path = Path.Combine(dir.FullName, RelativeBinaryPath);
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException(
                        $"'{path}' is missing: the npm tooling is not installed (run 'npm install' in {Path.Combine(dir.FullName, "contracts")}, or ./l2pay which does it).", path);
            }
        }

        throw new FileNotFoundException(
            $"No Settlement.sln above '{startDirectory ?? AppContext.BaseDirectory}' to find Anvil in; set {BinaryEnvironmentVariable} to the anvil binary.");
    }

    /// <summary>The command line that starts Anvil with <paramref name="options"/> on <paramref name="port"/> (not started).</summary>
    public static ProcessStartInfo CreateStartInfo(AnvilOptions options, int port)
    {
        ArgumentNullException.ThrowIfNull(options);
        var info = new ProcessStartInfo(options.BinaryPath ?? FindBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--host");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--chain-id");
        info.ArgumentList.Add(options.ChainId.ToString(CultureInfo.InvariantCulture));
        if (options.Mnemonic is not null)
        {
            info.ArgumentList.Add("--mnemonic");
            info.ArgumentList.Add(options.Mnemonic);
        }

        info.ArgumentList.Add("--accounts");
        info.ArgumentList.Add(options.Accounts.ToString(CultureInfo.InvariantCulture));
        foreach (var argument in options.ExtraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Starts Anvil and waits until it answers; retries on another port if the chosen one was taken meanwhile.</summary>
    /// <exception cref="InvalidOperationException">It did not start (the message carries its output).</exception>
    public static async Task<AnvilProcess> StartAsync(AnvilOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AnvilOptions();
        var binary = options.BinaryPath ?? FindBinary();
        InvalidOperationException? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort();
            var info = CreateStartInfo(options, port);
            info.FileName = binary;
            var anvil = new AnvilProcess(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), options.ChainId);
            try
            {
                await anvil.RunAsync(info, options.StartTimeout, cancellationToken).ConfigureAwait(false);
                return anvil;
            }
            catch (InvalidOperationException ex) when (options.Port == 0)
            {
                // Most likely another process took the port between probing and binding: try another.
                last = ex;
                anvil.Dispose();
            }
            catch
            {
                anvil.Dispose();
                throw;
            }
        }

        throw new InvalidOperationException("Anvil did not start after 3 attempts.", last);
    }

    /// <summary>Kills the node and its child processes (idempotent).</summary>
    public void Dispose()
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
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"anvil at {RpcUrl} (chain {ChainId.ToString(CultureInfo.InvariantCulture)})";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task RunAsync(ProcessStartInfo info, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {info.FileName}.");
        }

        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Anvil exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)} during start-up. Output:\n{Output}");
            }

            try
            {
                using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(RpcUrl, content, limit.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false));
                    var hex = doc.RootElement.GetProperty("result").GetString();
                    var chainId = ulong.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (chainId != ChainId)
                    {
                        throw new InvalidOperationException($"Anvil reports chain {chainId.ToString(CultureInfo.InvariantCulture)}, not {ChainId.ToString(CultureInfo.InvariantCulture)}.");
                    }

                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!limit.IsCancellationRequested)
            {
                // That request timed out; ask again.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Anvil did not answer eth_chainId within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Output:\n{Output}");
            }

            try
            {
                await Task.Delay(50, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Anvil did not answer eth_chainId within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Output:\n{Output}");
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length > MaxOutputChars)
            {
                _output.Remove(0, MaxOutputChars / 2);
            }

            _output.AppendLine(line);
        }
    }
}
