using Microsoft.Data.Sqlite;
using Settlement.SettlementService;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>Bad settings are refused at start with a message naming the setting, before anything is created.</summary>
public sealed class SettlementServiceOptionsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-options-");

    private string DatabasePath => Path.Combine(_directory.FullName, "ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private SettlementServiceOptions Valid() => new()
    {
        Port = 0,
        Database = DatabasePath,
        RpcUrl = new Uri("http://127.0.0.1:1/"),
        ChainId = 31337,
        Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        Token = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    };

    public static TheoryData<string, Action<SettlementServiceOptions>, string> BadSettings => new()
    {
        { "port", o => o.Port = 70_000, "Settlement:Service:Port:" },
        { "contract", o => o.Contract = "0x1234", "Settlement:Service:Contract: must be a 20-byte 0x-hex address; got '0x1234'." },
        { "token", o => o.Token = null, "Settlement:Service:Token:" },
        { "chain id", o => o.ChainId = 0, "Settlement:Service:ChainId:" },
        { "rpc missing", o => o.RpcUrl = null, "Settlement:Service:RpcUrl: is required while the indexer runs." },
        { "rpc scheme", o => o.RpcUrl = new Uri("ftp://127.0.0.1/"), "Settlement:Service:RpcUrl: must be an absolute http(s) URL" },
        { "confirmations", o => o.Confirmations = -1, "Settlement:Service:Confirmations:" },
        { "retry order", o => o.RetryMaxDelay = TimeSpan.FromMilliseconds(10), "Settlement:Service:RetryMaxDelay: must not be below RetryBaseDelay" },
        { "poll interval", o => o.IndexerPollInterval = TimeSpan.Zero, "Settlement:Service:IndexerPollInterval: must be positive" },
        { "shutdown", o => o.ShutdownTimeout = TimeSpan.FromHours(2), "Settlement:Service:ShutdownTimeout: must be positive and at most" },
        { "bank config", o => o.OpenBankingConfigPath = "/nonexistent/bank.json", "Settlement:Service:OpenBankingConfigPath: file '/nonexistent/bank.json' does not exist." },
        { "database", o => o.Database = "", "Settlement:Service:Database:" },
        { "max lag", o => o.MaxLagBlocks = -1, "Settlement:Service:MaxLagBlocks: The field MaxLagBlocks must be between 0 and 9223372036854775807." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_BadSetting_RefusedNamingIt_NothingCreated(string name, Action<SettlementServiceOptions> spoil, string expected)
    {
        var options = Valid();
        spoil(options);

        var ex = await Should.ThrowAsync<ArgumentException>(() => SettlementServiceHost.StartAsync(options));

        ex.Message.ShouldContain(expected, Case.Sensitive, name);
        File.Exists(DatabasePath).ShouldBeFalse("refused before the ledger was opened");
    }

    [Fact]
    public async Task Start_IndexerOff_ChainSettingsNotRequired()
    {
        var options = new SettlementServiceOptions { Port = 0, Database = DatabasePath, IndexerEnabled = false };

        await using var host = await SettlementServiceHost.StartAsync(options);

        host.BaseUrl.Host.ShouldBe("127.0.0.1");
        File.Exists(DatabasePath).ShouldBeTrue("the ledger is migrated at start");
    }

    [Fact]
    public async Task Start_BankConfigWithoutBanks_RefusedNamingTheOpenBankingSetting()
    {
        var config = Path.Combine(_directory.FullName, "bank.json");
        await File.WriteAllTextAsync(config, """{ "OpenBanking": { "DatabasePath": "transfers.db" } }""");
        var options = new SettlementServiceOptions { Port = 0, Database = DatabasePath, IndexerEnabled = false, OpenBankingConfigPath = config };

        var ex = await Should.ThrowAsync<ArgumentException>(() => SettlementServiceHost.StartAsync(options));

        ex.Message.ShouldContain("OpenBanking:Banks: at least one bank must be configured.");
    }
}
