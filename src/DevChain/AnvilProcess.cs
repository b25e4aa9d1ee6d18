using System.Diagnostics;
using System.Globalization;

namespace Settlement.DevChain;

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

    private readonly DevNodeProcess _node;

    private AnvilProcess(DevNodeProcess node, ulong chainId)
    {
        _node = node;
        ChainId = chainId;
    }

    /// <summary>The node's HTTP JSON-RPC endpoint, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri RpcUrl => _node.RpcUrl;

    /// <summary>The chain id the node reported.</summary>
    public ulong ChainId { get; }

    /// <summary>The tail of what the node wrote to stdout and stderr (for error messages).</summary>
    public string Output => _node.Output;

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
        var node = await DevNodeProcess.StartAsync(
            "Anvil",
            port =>
            {
                var info = CreateStartInfo(options, port);
                info.FileName = binary;
                return info;
            },
            options.Port,
            options.StartTimeout,
            cancellationToken).ConfigureAwait(false);
        if (node.ChainId != options.ChainId)
        {
            node.Dispose();
            throw new InvalidOperationException(
                $"Anvil reports chain {node.ChainId.ToString(CultureInfo.InvariantCulture)}, not {options.ChainId.ToString(CultureInfo.InvariantCulture)}.");
        }

        return new AnvilProcess(node, options.ChainId);
    }

    /// <summary>Kills the node and its child processes (idempotent).</summary>
    public void Dispose() => _node.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"anvil at {RpcUrl} (chain {ChainId.ToString(CultureInfo.InvariantCulture)})";
}
