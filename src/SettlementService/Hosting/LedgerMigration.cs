using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Settlement.Service.Ledger;

namespace Settlement.SettlementService.Hosting;

/// <summary>Migrates the ledger database before the other hosted services start and before requests are taken.</summary>
internal sealed partial class LedgerMigration(ILedgerStore store, SettlementServiceOptions options, ILogger<LedgerMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        LogMigrated(options.IsPostgreSql ? "postgresql" : "sqlite");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Ledger database ready ({Backend})")]
    private partial void LogMigrated(string backend);
}
