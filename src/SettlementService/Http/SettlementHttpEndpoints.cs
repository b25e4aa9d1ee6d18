using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;
using Settlement.SettlementService.Indexer;

namespace Settlement.SettlementService.Http;

/// <summary>
/// <c>GET /health</c> (ledger reachable, indexer checkpoint, head, lag, last error; 200 healthy, 503 not) and
/// <c>GET /ledger/accounts</c> (read-only balances), <c>GET /ledger/journal</c> (the journal's integrity check). Amounts are decimal strings (128-bit integers).
/// </summary>
internal static class SettlementHttpEndpoints
{
    // Timestamps and messages stay readable ("+00:00", not "\u002B00:00"); the body is JSON, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", HealthAsync);
        app.MapGet("/ledger/accounts", AccountsAsync);
        app.MapGet("/ledger/journal", JournalAsync);
    }

    private static async Task HealthAsync(HttpContext context, IChainIndexStore index, IndexerStatus status, SettlementServiceOptions options, TimeProvider time)
    {
        var reasons = new List<string>();
        var stream = options.IndexerEnabled ? context.RequestServices.GetRequiredService<ChainIndexer>().Stream : options.ToIndexerOptions().StreamName;
        IndexerCheckpoint? checkpoint = null;
        string? ledgerError = null;
        try
        {
            checkpoint = await index.GetCheckpointAsync(stream, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            ledgerError = $"{ex.GetType().Name}: {ex.Message}";
            reasons.Add("ledger unreachable: " + ledgerError);
        }

        var snapshot = status.Snapshot;
        var lag = status.Lag(checkpoint ?? snapshot.Checkpoint, snapshot.Head);
        if (options.IndexerEnabled)
        {
            if (snapshot.ConsecutiveFailures > 0)
            {
                reasons.Add($"indexer: the last {snapshot.ConsecutiveFailures} poll(s) failed: {snapshot.LastError}");
            }
            else if (snapshot.LastSuccessAt is null)
            {
                reasons.Add("indexer: starting (no poll has completed yet)");
            }
            else if (options.MaxLagBlocks > 0 && lag > options.MaxLagBlocks)
            {
                reasons.Add($"indexer: {lag} confirmed blocks behind (Settlement:Service:MaxLagBlocks is {options.MaxLagBlocks})");
            }
        }

        context.Response.StatusCode = reasons.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        json.WriteStartObject();
        json.WriteString("status", reasons.Count == 0 ? "healthy" : "unhealthy");
        json.WriteStartArray("reasons");
        foreach (var reason in reasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
        json.WriteString("time", Format(time.GetUtcNow()));
        json.WriteStartObject("ledger");
        json.WriteString("backend", options.IsPostgreSql ? "postgresql" : "sqlite");
        json.WriteBoolean("reachable", ledgerError is null);
        json.WriteString("error", ledgerError);
        json.WriteEndObject();
        json.WriteStartObject("indexer");
        json.WriteBoolean("enabled", options.IndexerEnabled);
        json.WriteString("stream", stream);
        json.WriteNumber("confirmations", options.Confirmations);
        WriteCheckpoint(json, checkpoint ?? snapshot.Checkpoint);
        WriteNumber(json, "head", snapshot.Head);
        if (lag is { } l)
        {
            json.WriteNumber("lag", l);
        }
        else
        {
            json.WriteNull("lag");
        }

        json.WriteString("lastPollAt", Format(snapshot.LastPollAt));
        json.WriteString("lastSuccessAt", Format(snapshot.LastSuccessAt));
        json.WriteNumber("consecutiveFailures", snapshot.ConsecutiveFailures);
        json.WriteString("lastError", snapshot.LastError);
        json.WriteString("lastErrorAt", Format(snapshot.LastErrorAt));
        json.WriteEndObject();
        json.WriteStartObject("openBanking");
        json.WriteBoolean("enabled", options.OpenBankingConfigPath is not null);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> AccountsAsync(ILedgerStore ledger, CancellationToken cancellationToken)
    {
        var accounts = await ledger.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(accounts.Select(a => new
        {
            id = a.Account.Id.ToString(CultureInfo.InvariantCulture),
            ledger = a.Account.Ledger,
            asset = LedgerAssets.Name(a.Account.Ledger),
            code = a.Account.Code,
            codeName = Enum.IsDefined((AccountCode)a.Account.Code) ? ((AccountCode)a.Account.Code).ToString() : null,
            debitsPending = a.DebitsPending.ToString(CultureInfo.InvariantCulture),
            debitsPosted = a.DebitsPosted.ToString(CultureInfo.InvariantCulture),
            creditsPending = a.CreditsPending.ToString(CultureInfo.InvariantCulture),
            creditsPosted = a.CreditsPosted.ToString(CultureInfo.InvariantCulture),
            createdAt = Format(a.CreatedAt),
        }));
    }

    // The journal's integrity (hash chain, replayed balances): read-only, the same check as `l2pay settle verify-journal`.
    private static async Task<IResult> JournalAsync(ILedgerStore ledger, CancellationToken cancellationToken)
    {
        var verification = await ledger.VerifyJournalAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(new
        {
            ok = verification.Ok,
            entries = verification.Entries,
            headHash = verification.HeadHash,
            brokenSeq = verification.BrokenSeq,
            accountId = verification.AccountId?.ToString(CultureInfo.InvariantCulture),
            problem = verification.Problem,
        });
    }

    private static void WriteCheckpoint(Utf8JsonWriter json, IndexerCheckpoint? checkpoint)
    {
        if (checkpoint is null)
        {
            json.WriteNull("checkpoint");
            return;
        }

        json.WriteStartObject("checkpoint");
        WriteNumber(json, "block", checkpoint.Block?.Number);
        json.WriteString("hash", checkpoint.Block?.Hash);
        json.WriteNumber("epoch", checkpoint.Epoch);
        json.WriteNumber("eventsBooked", checkpoint.EventsBooked);
        json.WriteNumber("reorgs", checkpoint.Reorgs);
        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, ulong? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string? Format(DateTimeOffset? at) => at?.ToString("O", CultureInfo.InvariantCulture);
}
