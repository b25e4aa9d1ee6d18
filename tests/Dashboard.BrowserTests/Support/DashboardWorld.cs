using Settlement.PayeeService.IntegrationTests.Support;
using Settlement.SettlementService;

namespace Settlement.Dashboard.BrowserTests.Support;

/// <summary>
/// Shared by every browser test: one Anvil node with the channel contract and a test stablecoin
/// (<see cref="PayeeWorldFixture"/>), one payee service, one real settlement service indexing that chain into a SQLite
/// ledger (behind a <see cref="ControlledSettlement"/> relay), and one headless chromium. Each test opens its own
/// channels and starts its own dashboard.
/// </summary>
public sealed class DashboardWorld : IAsyncLifetime
{
    private RunningPayee? _payee;
    private SettlementServiceHost? _settlement;
    private ControlledSettlement? _relay;
    private HeadlessChromium? _browser;
    private DirectoryInfo? _folder;

    public PayeeWorldFixture Chain { get; } = new();

    internal RunningPayee Payee => _payee ?? throw new InvalidOperationException("not started");

    internal SettlementServiceHost Settlement => _settlement ?? throw new InvalidOperationException("not started");

    internal ControlledSettlement SettlementUpstream => _relay ?? throw new InvalidOperationException("not started");

    internal HeadlessChromium Browser => _browser ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        // The browser starts while Anvil deploys: the two slowest parts overlap.
        var browser = Task.Run(HeadlessChromium.Start);
        await Chain.InitializeAsync();
        _folder = Directory.CreateTempSubdirectory("dashboard-it-");
        _payee = await Chain.StartPayeeAsync(null);
        _settlement = await SettlementServiceHost.StartAsync(new SettlementServiceOptions
        {
            Port = 0,
            Database = Path.Combine(_folder.FullName, "settlement.db"),
            RpcUrl = Chain.Node.RpcUrl,
            ChainId = Chain.ChainId,
            Contract = Chain.Contract.ToString(),
            Token = Chain.World.Token.Address.ToString(),
            Confirmations = 0,
            IndexerPollInterval = TimeSpan.FromMilliseconds(100),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        _relay = await ControlledSettlement.StartAsync(_settlement.BaseUrl);
        _browser = await browser;
    }

    public async Task DisposeAsync()
    {
        _browser?.Dispose();
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        if (_settlement is not null)
        {
            await _settlement.DisposeAsync();
        }

        if (_payee is not null)
        {
            await _payee.DisposeAsync();
        }

        await Chain.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            _folder?.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One collection: the tests share the chain, the services and the browser, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardWorld>
{
    public const string Name = "Dashboard in headless chromium";
}
