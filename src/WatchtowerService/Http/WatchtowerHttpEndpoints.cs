using System.Globalization;
using System.Numerics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Encoding;

namespace Settlement.WatchtowerService.Http;

/// <summary>
/// The watchtower's HTTP API on 127.0.0.1 (docs/watchtower.md, "API"): delegations, alerts, health and metrics.
/// Errors that are not a delegation outcome are <c>application/problem+json</c>.
/// </summary>
internal static class WatchtowerHttpEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", HealthAsync);
        app.MapGet("/metrics", (WatchtowerMetrics metrics) => Results.Json(metrics.Snapshot()));
        app.MapPost("/delegations", SubmitAsync);
        app.MapGet("/delegations/{channelId}", GetAsync);
        app.MapGet("/alerts", AlertsAsync);
    }

    private static async Task<IResult> HealthAsync(IWatchtowerStore store, IWatchtowerChain chain, CancellationToken cancellationToken)
    {
        var checkpoint = await store.GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var active = await store.ListActiveDelegationsAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(new
        {
            status = "ok",
            chainId = chain.ChainId.ToString(CultureInfo.InvariantCulture),
            contract = chain.Contract.ToString(),
            sender = chain.Sender.ToString(),
            checkpoint = checkpoint?.Head.Number,
            guarded = active.Count,
            closing = active.Count(d => d.CloseDeadline is not null),
        });
    }

    private static async Task<IResult> SubmitAsync(HttpContext context, DelegationIntake intake)
    {
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Problem(title: "Unsupported media type", detail: "Send application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var body = await ReadBodyAsync(context.Request.Body, DelegationJson.MaxLength, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return Results.Problem(title: "Body too large", detail: $"At most {DelegationJson.MaxLength} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (!DelegationJson.TryDecode(body, out var request, out var error))
        {
            return Results.Problem(title: "Malformed delegation", detail: error, statusCode: StatusCodes.Status400BadRequest);
        }

        var outcome = await intake.SubmitAsync(request, context.RequestAborted).ConfigureAwait(false);
        return outcome switch
        {
            DelegationAccepted accepted => Results.Json(Describe("accepted", accepted.Delegation)),
            DelegationUnchanged unchanged => Results.Json(Describe("unchanged", unchanged.Delegation)),
            DelegationRefused refused => Results.Json(
                new { outcome = "refused", reason = Name(refused.Reason), detail = refused.Detail, channelId = request.ChannelId.ToString() },
                statusCode: StatusCodes.Status422UnprocessableEntity),
            _ => Results.Problem(statusCode: StatusCodes.Status500InternalServerError),
        };
    }

    private static async Task<IResult> GetAsync(string channelId, IWatchtowerStore store, CancellationToken cancellationToken)
    {
        if (!ChannelId.TryParse(channelId, out var id))
        {
            return Results.Problem(title: "Bad channel id", detail: $"'{channelId}' is not 32 bytes of hex.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (await store.GetDelegationAsync(id, cancellationToken).ConfigureAwait(false) is not { } delegation)
        {
            return Results.Problem(title: "Not delegated", detail: $"No delegation for channel {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        var redeem = await store.GetDisputeAsync(id, DisputeKind.Redeem, cancellationToken).ConfigureAwait(false);
        var settle = await store.GetDisputeAsync(id, DisputeKind.Settle, cancellationToken).ConfigureAwait(false);
        return Results.Json(new
        {
            delegation = Describe("held", delegation),
            redeem = Transaction(redeem),
            settle = Transaction(settle),
        });
    }

    private static async Task<IResult> AlertsAsync(IWatchtowerStore store, CancellationToken cancellationToken)
    {
        var alerts = await store.ListAlertsAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(alerts.Select(a => new
        {
            channelId = a.ChannelId.ToString(),
            kind = Name(a.Kind),
            amount = Amount(a.Amount),
            deadline = a.Deadline,
            detail = a.Detail,
            raisedAt = a.RaisedAt,
        }));
    }

    // The signature is not echoed: a GET needs none, and logs and proxies then never hold it.
    private static object Describe(string outcome, Delegation d) => new
    {
        outcome,
        channelId = d.ChannelId.ToString(),
        payer = d.Channel.Payer.ToString(),
        payee = d.Channel.Payee.ToString(),
        token = d.Channel.Token.ToString(),
        challengePeriod = d.Channel.ChallengePeriodSeconds,
        nonce = d.Channel.Nonce,
        cumulativeAmount = Amount(d.Amount),
        receivedAt = d.ReceivedAt,
        closeDeadline = d.CloseDeadline,
        finished = d.Finished,
    };

    private static object? Transaction(DisputeRecord? record) => record is null
        ? null
        : new { transactionHash = Hex.Encode(record.TransactionHash.Span), amount = Amount(record.Amount), attempts = record.Attempts, submittedAt = record.SubmittedAt };

    private static string Amount(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Name<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static async Task<byte[]?> ReadBodyAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read > limit ? null : buffer.AsSpan(0, read).ToArray();
    }
}
