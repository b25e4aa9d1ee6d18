using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Settlement.DevChain;

/// <summary>
/// A local Ethereum development node (Anvil, Hardhat, …) run as a child process: started on 127.0.0.1 with its
/// output redirected, ready once a plain JSON-RPC <c>eth_chainId</c> POST answers, killed with its process tree on
/// dispose, and stopped by itself when the process that started it dies without disposing (see
/// <see cref="ParentLifetime"/>). The one lifecycle behind <see cref="AnvilProcess"/> and the test fixtures; never for
/// production.
/// </summary>
/// <remarks>
/// Readiness is probed with a hand-written JSON body on purpose: the launcher must not depend on the RPC client that
/// the node is used to test. On Linux the started process is <c>/bin/sh</c> running <see cref="ParentLifetime.Script"/>
/// with the node as its child: its exit code is the node's, its output the node's.
/// </remarks>
public sealed class DevNodeProcess : IAsyncDisposable, IDisposable
{
    private const int MaxAttempts = 3;
    private const int MaxOutputChars = 100_000;
    private readonly StringBuilder _output = new();
    private readonly string _name;
    private Process? _process;

    private DevNodeProcess(string name, Uri rpcUrl)
    {
        _name = name;
        RpcUrl = rpcUrl;
    }

    /// <summary>The node's HTTP JSON-RPC endpoint, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri RpcUrl { get; }

    /// <summary>The chain id the node reported when it became ready.</summary>
    public ulong ChainId { get; private set; }

    /// <summary>The tail of what the node wrote to stdout and stderr (for error messages); kept after dispose.</summary>
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
    /// Starts the process that <paramref name="createStartInfo"/> describes for a port and waits until it answers
    /// <c>eth_chainId</c>. With <paramref name="port"/> 0 a free port is picked, and another one is tried (3 attempts
    /// in all) if the start fails, most likely because the port was taken between probing and binding.
    /// </summary>
    /// <param name="name">How messages name the node, e.g. "Anvil".</param>
    /// <param name="createStartInfo">The executable and arguments (as <see cref="ProcessStartInfo.ArgumentList"/>) that make
    /// the node listen on 127.0.0.1 at the given port, a new instance per call. Output and input are redirected and the
    /// shell is not used whatever it sets; the command line is bound to this process (<see cref="ParentLifetime.Bind"/>,
    /// SIGTERM).</param>
    /// <param name="port">TCP port on 127.0.0.1; 0 = a free port.</param>
    /// <param name="startTimeout">How long one attempt waits for the node to answer.</param>
    /// <param name="cancellationToken">Stops waiting (the process is killed).</param>
    /// <exception cref="InvalidOperationException">It did not start (the message carries its output).</exception>
    public static async Task<DevNodeProcess> StartAsync(
        string name,
        Func<int, ProcessStartInfo> createStartInfo,
        int port,
        TimeSpan startTimeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(createStartInfo);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        InvalidOperationException? last = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var chosen = port != 0 ? port : FreePort();
            var node = new DevNodeProcess(name, new Uri($"http://127.0.0.1:{chosen.ToString(CultureInfo.InvariantCulture)}/"));
            try
            {
                await node.RunAsync(createStartInfo(chosen), startTimeout, cancellationToken).ConfigureAwait(false);
                return node;
            }
            catch (InvalidOperationException ex) when (port == 0)
            {
                // Most likely another process took the port between probing and binding: try another.
                last = ex;
                node.Dispose();
            }
            catch
            {
                node.Dispose();
                throw;
            }
        }

        throw new InvalidOperationException($"{name} did not start after {MaxAttempts.ToString(CultureInfo.InvariantCulture)} attempts: {last?.Message}", last);
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
    public override string ToString() => $"{_name} at {RpcUrl}";

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
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;

        // Without this a node outlives a host killed before Dispose runs (a Stryker run left 8 Anvils behind).
        ParentLifetime.Bind(info);
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
                throw new InvalidOperationException($"{_name} exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)} during start-up. Output:\n{Output}");
            }

            try
            {
                using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(RpcUrl, content, limit.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false));
                    var hex = doc.RootElement.GetProperty("result").GetString();
                    ChainId = ulong.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
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
                throw TimedOut(timeout);
            }

            try
            {
                await Task.Delay(50, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(timeout);
            }
        }
    }

    private InvalidOperationException TimedOut(TimeSpan timeout) =>
        new($"{_name} did not answer eth_chainId within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Output:\n{Output}");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Keep the tail only: a long-running node can log a lot.
            if (_output.Length > MaxOutputChars)
            {
                _output.Remove(0, MaxOutputChars / 2);
            }

            _output.AppendLine(line);
        }
    }
}
