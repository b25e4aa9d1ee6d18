using System.Numerics;
using Microsoft.Extensions.Logging;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payee;
using Settlement.Ethereum.Addresses;
using Settlement.Testing;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// One Anvil node with the channel contract and a test stablecoin deployed (<see cref="ChannelWorld"/>), channels
/// opened on demand, and payee services started on port 0 over a fresh SQLite file (or a given database).
/// </summary>
public sealed class PayeeWorldFixture : IAsyncLifetime
{
    private ChannelWorld? _world;

    /// <summary>The chain node.</summary>
    public AnvilNode Node { get; } = new();

    internal ChannelWorld World => _world ?? throw new InvalidOperationException("The fixture has not been started.");

    /// <summary>The chain id served.</summary>
    public ulong ChainId => Node.ChainId;

    /// <summary>The channel contract.</summary>
    public Address Contract => World.Channels.Address;

    /// <summary>The payee (receipt signer) address.</summary>
    public Address Payee => World.PayeeKey.Address;

    public async Task InitializeAsync()
    {
        await Node.InitializeAsync();
        _world = await ChannelWorld.CreateAsync(Node);
    }

    public async Task DisposeAsync()
    {
        _world?.Dispose();
        await Node.DisposeAsync();
    }

    /// <summary>
    /// Opens a token channel payer → payee (or <paramref name="payee"/>) with <paramref name="deposit"/> and mines one
    /// block (confirmations = 1).
    /// </summary>
    internal async Task<TestChannel> OpenChannelAsync(BigInteger deposit, Address? payee = null)
    {
        var parameters = await World.OpenAsync(deposit, payee: payee);
        await Node.MineAsync();
        return new TestChannel(World, parameters);
    }

    /// <summary>The settings the tests start from: port 0, 1 confirmation, a 100 ms chain poll.</summary>
    internal PayeeServiceOptions Options(string database) => new()
    {
        Port = 0,
        Database = database,
        RpcUrl = Node.RpcUrl,
        Confirmations = 1,
        ChainPollInterval = TimeSpan.FromMilliseconds(100),
        ReceiptEveryVouchers = 20,
        ReceiptEverySeconds = 60,
        Engine = new PayeeOptions { ChainId = ChainId, Contract = Contract.ToString(), UnknownChannelCacheTime = TimeSpan.FromMilliseconds(200) },
    };

    /// <summary>
    /// Starts a payee service signing receipts with the payee's key, over a fresh SQLite file unless
    /// <paramref name="database"/> names one (a path or a PostgreSQL connection string).
    /// </summary>
    internal async Task<RunningPayee> StartPayeeAsync(ITestOutputHelper? output, Action<PayeeServiceOptions>? configure = null, string? database = null, TimeProvider? time = null)
    {
        var folder = Directory.CreateTempSubdirectory("payee-it-");
        var options = Options(database ?? Path.Combine(folder.FullName, "payee.db"));
        configure?.Invoke(options);
        Action<ILoggingBuilder>? logging = output is null
            ? null
            : b => b.SetMinimumLevel(LogLevel.Information).AddProvider(new TestOutputLoggerProvider(output));
        try
        {
            var host = await PayeeServiceHost.StartAsync(options, World.PayeeKey, logging, time: time);
            return new RunningPayee(host, options, folder.FullName);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }
}
