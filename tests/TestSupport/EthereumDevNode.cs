using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Settlement.Ethereum.Addresses;
using Settlement.DevChain;
using Settlement.Ethereum.Signing;

namespace Settlement.Testing;

/// <summary>
/// A real local Ethereum development node (Anvil or Hardhat) run as a child process for the lifetime
/// of a test fixture: started on a free 127.0.0.1 port, ready once <c>eth_chainId</c> answers, and
/// killed with its whole process tree on dispose. Use as an xUnit class or collection fixture.
/// Helper RPC calls here talk plain JSON over HttpClient on purpose: the fixture must not depend on
/// the client under test.
/// </summary>
public abstract class EthereumDevNode : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Chain id both nodes are started with.</summary>
    public const ulong DefaultChainId = 31337;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private DevNodeProcess? _node;
    private long _nextId;

    /// <summary>A short name for test output: "anvil" or "hardhat".</summary>
    public abstract string Name { get; }

    /// <summary>The node's HTTP JSON-RPC endpoint (valid after start).</summary>
    public Uri RpcUrl => _node?.RpcUrl ?? throw new InvalidOperationException($"The {Name} node has not been started.");

    /// <summary>The chain id the node reports.</summary>
    public ulong ChainId { get; private set; } = DefaultChainId;

    /// <summary>The funded development accounts' private keys (0x-hex), see <see cref="DevAccounts"/>.</summary>
    public IReadOnlyList<string> DevPrivateKeys => DevAccounts.PrivateKeys;

    /// <summary>The funded development accounts' addresses.</summary>
    public IReadOnlyList<Address> DevAddresses => DevAccounts.Addresses;

    /// <summary>A new <see cref="PrivateKey"/> for development account <paramref name="index"/> (0..9); the caller disposes it.</summary>
    public static PrivateKey DevKey(int index) => PrivateKey.ParseHex(DevAccounts.PrivateKeys[index]);

    /// <summary>Everything the process wrote to stdout/stderr so far (for failure messages).</summary>
    public string Output => _node?.Output ?? string.Empty;

    /// <summary>Starts the node on a free port (3 attempts) and waits until it answers.</summary>
    public async Task InitializeAsync()
    {
        _node = await DevNodeProcess.StartAsync($"The {Name} node", CreateStartInfo, port: 0, StartTimeout).ConfigureAwait(false);
        ChainId = _node.ChainId;
    }

    /// <summary>The executable and arguments that start the node on <paramref name="port"/>.</summary>
    protected abstract ProcessStartInfo CreateStartInfo(int port);

    /// <summary>Sends one JSON-RPC request and returns its <c>result</c>; a JSON-RPC error throws.</summary>
    public async Task<JsonElement> RequestAsync(string method, params object?[] parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = new Dictionary<string, object?>
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = method,
            ["params"] = parameters,
        };
        using var response = await _http.PostAsJsonAsync(RpcUrl, body).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{Name} {method} failed: {error.GetRawText()}");
        }

        return doc.RootElement.GetProperty("result").Clone();
    }

    /// <summary><c>evm_snapshot</c>: returns an id for <see cref="RevertAsync"/>.</summary>
    public async Task<string> SnapshotAsync()
    {
        var result = await RequestAsync("evm_snapshot").ConfigureAwait(false);
        return result.GetString() ?? throw new InvalidOperationException("evm_snapshot returned null.");
    }

    /// <summary><c>evm_revert</c> to a snapshot (a snapshot can be reverted to once).</summary>
    public async Task<bool> RevertAsync(string snapshotId)
    {
        var result = await RequestAsync("evm_revert", snapshotId).ConfigureAwait(false);
        return result.GetBoolean();
    }

    /// <summary>Mines <paramref name="blocks"/> blocks (<c>evm_mine</c> each).</summary>
    public async Task MineAsync(int blocks = 1)
    {
        for (var i = 0; i < blocks; i++)
        {
            await RequestAsync("evm_mine").ConfigureAwait(false);
        }
    }

    /// <summary>Turns automatic mining of each transaction on or off (<c>evm_setAutomine</c>).</summary>
    public Task SetAutomineAsync(bool enabled) => RequestAsync("evm_setAutomine", enabled);

    /// <summary>Moves the chain clock forward (<c>evm_increaseTime</c>); the next mined block sees it.</summary>
    public Task IncreaseTimeAsync(long seconds) => RequestAsync("evm_increaseTime", seconds);

    /// <summary>Sets an account's balance (<c>anvil_setBalance</c> / <c>hardhat_setBalance</c>).</summary>
    public Task SetBalanceAsync(Address account, BigInteger wei) =>
        RequestAsync(SetBalanceMethod, account.ToLowerHex(), ToQuantity(wei));

    /// <summary>The node's own set-balance method name.</summary>
    protected abstract string SetBalanceMethod { get; }

    /// <summary>The latest block number.</summary>
    public async Task<ulong> BlockNumberAsync()
    {
        var result = await RequestAsync("eth_blockNumber").ConfigureAwait(false);
        return (ulong)ParseQuantity(result.GetString()!);
    }

    /// <summary>An account's balance in wei at the latest block.</summary>
    public async Task<BigInteger> BalanceAsync(Address account)
    {
        var result = await RequestAsync("eth_getBalance", account.ToLowerHex(), "latest").ConfigureAwait(false);
        return ParseQuantity(result.GetString()!);
    }

    /// <summary>Stops the node and its child processes.</summary>
    public Task DisposeAsync()
    {
        _node?.Dispose();
        _http.Dispose();
        GC.SuppressFinalize(this);
        return Task.CompletedTask;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Formats a non-negative integer as a JSON-RPC quantity.</summary>
    protected static string ToQuantity(BigInteger value) =>
        value.IsZero ? "0x0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');

    private static BigInteger ParseQuantity(string hex) =>
        BigInteger.Parse("0" + hex[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
