using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>AddSettlementFlows: options validated at start, the payout scheduler on the injected clock.</summary>
public sealed class FlowHostingTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-flows-host-");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeBalances _balances = new();
    private readonly SignallingChain _chain = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    private IHost Build(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Settlement:Flows:IndexerStream"] = "31337:stream",
            ["Settlement:Flows:ResumeInterval"] = "00:01:00",
            ["Settlement:Payouts:Interval"] = "1.00:00:00",
            ["Settlement:Payouts:MinimumPence"] = "100",
            ["Settlement:Payouts:FeePence"] = "10",
            ["Settlement:Payouts:ChainId"] = "31337",
            ["Settlement:Payouts:Merchants:0:Id"] = "m1",
            ["Settlement:Payouts:Merchants:0:Address"] = "0x3333333333333333333333333333333333333333",
            ["Settlement:Payouts:Merchants:0:Bank"] = "sandbox",
            ["Settlement:Payouts:Merchants:0:AccountIdentification"] = "20000055555555",
            ["Settlement:Payouts:Merchants:0:AccountName"] = "Merchant Ltd",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddSqliteLedgerStore(Path.Combine(_directory.FullName, "settlement.db"));
        builder.Services.AddSingleton<IChainActions>(_chain);
        builder.Services.AddSingleton<IBankPayments>(new FakeBank());
        builder.Services.AddSingleton<IChainConfirmations>(new FakeConfirmations());
        builder.Services.AddSingleton<IMerchantBalances>(_balances);
        builder.Services.AddSettlementFlows();
        return builder.Build();
    }

    [Fact]
    public async Task AddSettlementFlows_Started_PaysABatchAtStartAndOneEveryInterval()
    {
        _balances.Units["m1"] = 2_000_000;
        using var host = Build([]);
        await host.Services.GetRequiredService<SqliteLedgerStore>().MigrateAsync();
        await host.StartAsync();

        await _chain.NextBurn.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var flows = host.Services.GetRequiredService<SettlementFlows>();
        await WaitForAsync(async () => (await flows.ListAsync(FlowKind.Payout)).Count(f => f.State == "Paid") == 1);

        _chain.Reset();
        _clock.Advance(TimeSpan.FromDays(1));
        await _chain.NextBurn.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await WaitForAsync(async () => (await flows.ListAsync(FlowKind.Payout)).Count(f => f.State == "Paid") == 2);
        await host.StopAsync();

        host.Services.GetRequiredService<IOptions<PayoutOptions>>().Value.Merchants.ShouldHaveSingleItem().AccountName.ShouldBe("Merchant Ltd");
    }

    [Theory]
    [InlineData("Settlement:Payouts:MinimumPence", "0", "MinimumPence")]
    [InlineData("Settlement:Flows:IndexerStream", "", "IndexerStream")]
    [InlineData("Settlement:Payouts:Merchants:0:Address", "merchant", "Settlement:Payouts:Merchants:0:Address")]
    public async Task AddSettlementFlows_BadSetting_StartFailsNamingIt(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        ex.Message.ShouldContain(named);
    }

    /// <summary>Waits for work the hosted services do on their own threads (bounded; never a timing assertion).</summary>
    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 600 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        (await condition()).ShouldBeTrue();
    }

    private sealed class SignallingChain : IChainActions
    {
        private readonly FakeChainActions _inner = new();

        public TaskCompletionSource NextBurn { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Reset() => NextBurn = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken) =>
            _inner.FundNewChannelAsync(stepKey, payer, payee, amount, cancellationToken);

        public Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken) =>
            _inner.TopUpChannelAsync(stepKey, channelId, amount, cancellationToken);

        public async Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken)
        {
            var result = await _inner.BurnFromAsync(stepKey, holder, amount, cancellationToken);
            NextBurn.TrySetResult();
            return result;
        }
    }
}
