using System.Globalization;
using System.Numerics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.PayeeService.Streaming;

namespace Settlement.PayeeService.Http;

/// <summary>
/// The HTTP endpoints (docs/payee.md, "HTTP endpoints"): one-shot voucher submission (binary frame or JSON), channel
/// status and credit, receipts, velocity flags, health and metrics. Errors are <c>application/problem+json</c>.
/// </summary>
internal static class PayeeHttpEndpoints
{
    private const int MaxBody = PayeeJsonCodec.MaxInputLength;

    /// <summary>The longest voucher body read (and dropped) to answer it OversizedFrame.</summary>
    private const int MaxDrainedBody = 64 * 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (PayeeEngine engine, ConnectionLimiter connections) => Results.Json(new
        {
            status = "ok",
            chainId = engine.ChainId.ToString(CultureInfo.InvariantCulture),
            contract = engine.Contract.ToString(),
            payee = engine.ReceiptSignerAddress?.ToString(),
            channels = engine.ChannelCount,
            streams = connections.Open,
        }));
        app.MapGet("/metrics", (PayeeMetricsSnapshot metrics) => Results.Json(metrics.Read()));
        app.MapPost("/v1/vouchers/{chainId}/{contract}", SubmitAsync);
        app.MapGet("/v1/channels", ListAsync);
        app.MapGet("/v1/channels/{chainId}/{contract}/{channelId}", StatusAsync);
        app.MapGet("/v1/channels/{chainId}/{contract}/{channelId}/receipt", Receipt);
        app.MapPost("/v1/channels/{chainId}/{contract}/{channelId}/close-agreement", CloseAgreementAsync);
        app.MapGet("/v1/channels/{chainId}/{contract}/{channelId}/close-request", CloseRequestAsync);
        app.MapGet("/v1/channels/{chainId}/{contract}/{channelId}/refund", RefundAsync);
        app.MapPost("/v1/channels/{chainId}/{contract}/{channelId}/refunds", IssueRefundAsync);
        app.MapGet("/v1/flags", FlagsAsync);
    }

    private static async Task SubmitAsync(HttpContext context, string chainId, string contract, PayeeEngine engine)
    {
        var json = context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        if (!TryKey(chainId, contract, null, out var key, out var problem))
        {
            await problem!.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var (body, oversized) = await ReadBodyAsync(context, json ? MaxBody : PayeeFrames.MaxFrameLength, context.RequestAborted).ConfigureAwait(false);
        PayeeFrame? frame = null;
        var error = VoucherRejectCode.OversizedFrame;
        var decoded = !oversized
            && (json ? PayeeJsonCodec.TryDecode(body, out frame, out error) : PayeeFrameCodec.TryDecode(body, out frame, out error));
        if (!decoded || frame is not VoucherFrame voucher)
        {
            await WriteFrameAsync(context, new ErrorFrame(decoded ? VoucherRejectCode.MalformedFrame : error), json, StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }

        VoucherOutcome outcome;
        try
        {
            outcome = await engine.SubmitAsync(voucher.ToSubmission(key.ChainId, key.Contract), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await WriteFrameAsync(context, new ErrorFrame(VoucherRejectCode.Unavailable), json, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return;
        }

        var status = outcome switch
        {
            VoucherRejected { Code: VoucherRejectCode.Unavailable } => StatusCodes.Status503ServiceUnavailable,
            VoucherRejected { Code: VoucherRejectCode.VelocityLimit } => StatusCodes.Status429TooManyRequests,
            VoucherRejected => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status200OK,
        };
        await WriteFrameAsync(context, AckFrame.FromOutcome(voucher.ChannelId, voucher.CumulativeAmount, outcome), json, status).ConfigureAwait(false);
    }

    private static async Task<IResult> StatusAsync(string chainId, string contract, string channelId, PayeeEngine engine, IVoucherStore store, CancellationToken cancellationToken)
    {
        if (!TryKey(chainId, contract, channelId, out var key, out var problem))
        {
            return problem!;
        }

        if (!await engine.TrackAsync(key, cancellationToken).ConfigureAwait(false) || engine.GetCredit(key) is not { } credit)
        {
            return Results.Problem(title: "Unknown channel", detail: $"No confirmed channel {key}.", statusCode: StatusCodes.Status404NotFound);
        }

        var newest = await store.GetNewestAsync(key, cancellationToken).ConfigureAwait(false);
        return Results.Json(new
        {
            chainId = key.ChainId.ToString(CultureInfo.InvariantCulture),
            contract = key.Contract.ToString(),
            channelId = key.ChannelId.ToString(),
            paid = Amount(credit.Paid),
            remaining = Amount(credit.Remaining),
            deposit = Amount(credit.Deposit),
            open = credit.IsOpen,
            newestVoucher = newest is null ? null : new
            {
                cumulativeAmount = Amount(newest.Cumulative),
                signature = Ethereum.Encoding.Hex.Encode(newest.Signature),
                receivedAt = newest.ReceivedAt,
            },
        });
    }

    // Read-only list for dashboards: every channel the engine holds, its confirmed view and credit, and when its newest
    // voucher arrived. No signature is echoed (the per-channel status has it for those who redeem).
    private static async Task<IResult> ListAsync(PayeeEngine engine, IVoucherStore store, CancellationToken cancellationToken)
    {
        var newest = (await store.ListNewestAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(v => v.Key);
        var channels = new List<object>();
        foreach (var key in engine.TrackedChannels())
        {
            if (engine.GetView(key) is not { } view || engine.GetCredit(key) is not { } credit)
            {
                continue;
            }

            channels.Add(new
            {
                chainId = key.ChainId.ToString(CultureInfo.InvariantCulture),
                contract = key.Contract.ToString(),
                channelId = key.ChannelId.ToString(),
                payer = view.Parameters.Payer.ToString(),
                payee = view.Parameters.Payee.ToString(),
                state = view.Settled ? "settled" : view.IsClosing ? "closing" : "open",
                closeDeadline = view.IsClosing ? view.CloseDeadline : (ulong?)null,
                deposit = Amount(credit.Deposit),
                paid = Amount(credit.Paid),
                remaining = Amount(credit.Remaining),
                lastVoucherAt = newest.TryGetValue(key, out var voucher) ? voucher.ReceivedAt : (DateTimeOffset?)null,
                vouchersAccepted = engine.GetAcceptedCount(key) ?? 0,
            });
        }

        return Results.Json(channels);
    }

    // The payee's live request that the payer close this channel cooperatively (docs/payee.md, "Cooperative idle
    // close"): stored by the policy, withdrawn by any voucher received after it.
    private static async Task<IResult> CloseRequestAsync(string chainId, string contract, string channelId, IVoucherStore store, CancellationToken cancellationToken)
    {
        if (!TryKey(chainId, contract, channelId, out var key, out var problem))
        {
            return problem!;
        }

        var request = (await store.ListCloseRequestsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Key == key);
        var newest = request is null ? null : await store.GetNewestAsync(key, cancellationToken).ConfigureAwait(false);
        if (request is null || (newest is not null && newest.ReceivedAt > request.RequestedAt))
        {
            return Results.Problem(title: "No close request", detail: $"The payee does not ask to close {key}.", statusCode: StatusCodes.Status404NotFound);
        }

        return Results.Json(new
        {
            chainId = key.ChainId.ToString(CultureInfo.InvariantCulture),
            contract = key.Contract.ToString(),
            channelId = key.ChannelId.ToString(),
            requestedAt = request.RequestedAt,
        });
    }

    // The newest refund the payee issued for this channel (docs/payee.md, "Refunds"), for payers that poll instead of
    // (or besides) holding a stream: the same voucher a REFUND frame carries, in the frame's JSON form.
    private static async Task<IResult> RefundAsync(string chainId, string contract, string channelId, IVoucherStore store, CancellationToken cancellationToken)
    {
        if (!TryKey(chainId, contract, channelId, out var key, out var problem))
        {
            return problem!;
        }

        if (await store.GetNewestRefundAsync(key, cancellationToken).ConfigureAwait(false) is not { } refund)
        {
            return Results.Problem(title: "No refund", detail: $"The payee issued no refund for {key}.", statusCode: StatusCodes.Status404NotFound);
        }

        return Results.Text(PayeeJsonCodec.Encode(RefundFrame.FromSignedVoucher(refund.ToSignedVoucher())), "application/json");
    }

    // Operator endpoint: issue a refund. Body {"amount": "<base units>", "idempotencyKey": "<id>"}; Authorization: Bearer
    // <OperatorToken> (off without one). The refund is stored before this answers and before the REFUND frame goes out.
    private static async Task<IResult> IssueRefundAsync(
        HttpContext context, string chainId, string contract, string channelId, PayeeEngine engine, PayeeServiceOptions options, ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        if (options.OperatorToken is not { } token)
        {
            return Results.Problem(title: "Operator endpoints off", detail: "Set OperatorToken to issue refunds over HTTP.", statusCode: StatusCodes.Status403Forbidden);
        }

        var header = context.Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "";
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(presented), System.Text.Encoding.UTF8.GetBytes(token)))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(title: "Operator token required", detail: "Authorization: Bearer <OperatorToken> is required.", statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!TryKey(chainId, contract, channelId, out var key, out var problem))
        {
            return problem!;
        }

        var (body, oversized) = await ReadBodyAsync(context, 4 * 1024, cancellationToken).ConfigureAwait(false);
        if (oversized || !TryRefundBody(body, out var amount, out var idempotencyKey))
        {
            return Results.Problem(
                title: "Bad refund request", detail: "The body is {\"amount\": \"<decimal base units>\", \"idempotencyKey\": \"<id>\"}.", statusCode: StatusCodes.Status400BadRequest);
        }

        RefundIssueOutcome outcome;
        try
        {
            outcome = await engine.IssueRefundAsync(new RefundRequest(key, amount, idempotencyKey), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not stored, so not sent: the operator may ask again with the same idempotency key.
            loggerFactory.CreateLogger("Settlement.PayeeService.Refunds").LogWarning(ex, "Refund for {Channel} not issued: the store or chain read failed", key);
            outcome = new RefundRefused(RefundRefusal.Unavailable, BigInteger.Zero);
        }

        if (outcome is RefundIssued { Refund: var refund } issued)
        {
            return Results.Json(new
            {
                chainId = key.ChainId.ToString(CultureInfo.InvariantCulture),
                contract = key.Contract.ToString(),
                channelId = key.ChannelId.ToString(),
                idempotencyKey = refund.IdempotencyKey,
                amount = Amount(refund.Amount),
                cumulativeAmount = Amount(refund.Cumulative),
                signature = Ethereum.Encoding.Hex.Encode(refund.Signature),
                issuedAt = refund.IssuedAt,
                repeated = issued.Repeated,
            });
        }

        var refused = (RefundRefused)outcome;
        var status = refused.Reason switch
        {
            RefundRefusal.UnknownChannel => StatusCodes.Status404NotFound,
            RefundRefusal.Zero or RefundRefusal.BadIdempotencyKey => StatusCodes.Status400BadRequest,
            RefundRefusal.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status409Conflict,
        };
        return Results.Problem(
            title: "No refund issued",
            detail: $"Refused: {refused.Reason}; the channel's newest refund is {Amount(refused.Newest)}.",
            statusCode: status,
            extensions: new Dictionary<string, object?>
            {
                ["reason"] = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(refused.Reason.ToString()),
                ["newest"] = Amount(refused.Newest),
            });
    }

    private static bool TryRefundBody(byte[] body, out BigInteger amount, out string idempotencyKey)
    {
        amount = default;
        idempotencyKey = "";

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which would answer 500, not 400.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return false;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object
                || !root.TryGetProperty("amount", out var amountElement) || amountElement.ValueKind != System.Text.Json.JsonValueKind.String
                || !root.TryGetProperty("idempotencyKey", out var keyElement) || keyElement.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                return false;
            }

            var text = amountElement.GetString()!;
            idempotencyKey = keyElement.GetString()!;
            return text.Length is > 0 and <= 78 && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out amount);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static IResult Receipt(string chainId, string contract, string channelId, PayeeEngine engine)
    {
        if (!TryKey(chainId, contract, channelId, out var key, out var problem))
        {
            return problem!;
        }

        if (engine.SignReceipt(key) is not { } receipt)
        {
            return Results.Problem(
                title: "No receipt", detail: "Nothing is stored for this channel, or this payee signs no receipts.", statusCode: StatusCodes.Status404NotFound);
        }

        var frame = new ReceiptFrame(receipt.Key.ChannelId, receipt.Cumulative, receipt.IssuedAt, receipt.Signature.ToRsv());
        return Results.Text(PayeeJsonCodec.Encode(frame), "application/json");
    }

    private static async Task<IResult> CloseAgreementAsync(string chainId, string contract, string channelId, PayeeEngine engine, CancellationToken cancellationToken)
    {
        if (!TryKey(chainId, contract, channelId, out var key, out var problem))
        {
            return problem!;
        }

        CloseAgreementOutcome outcome;
        try
        {
            outcome = await engine.AgreeCloseAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The agreement was not stored, so no signature was handed out; the caller may ask again.
            outcome = new CloseAgreementRefused(CloseAgreementRefusal.Unavailable);
        }

        if (outcome is CloseAgreementSigned { Agreement: var agreement } signed)
        {
            return Results.Json(new
            {
                chainId = key.ChainId.ToString(CultureInfo.InvariantCulture),
                contract = key.Contract.ToString(),
                channelId = key.ChannelId.ToString(),
                payerToPayee = Amount(agreement.PayerToPayee),
                payeeToPayer = Amount(agreement.PayeeToPayer),
                deadline = agreement.Deadline,
                payee = engine.ReceiptSignerAddress?.ToString(),
                signature = Ethereum.Encoding.Hex.Encode(agreement.Signature),
                repeated = signed.Repeated,
            });
        }

        var reason = ((CloseAgreementRefused)outcome).Reason;
        var (status, detail) = reason switch
        {
            CloseAgreementRefusal.UnknownChannel => (StatusCodes.Status404NotFound, $"No confirmed channel {key} on the deployment this payee serves."),
            CloseAgreementRefusal.ChannelClosing => (StatusCodes.Status409Conflict, "A unilateral close has started."),
            CloseAgreementRefusal.ChannelSettled => (StatusCodes.Status409Conflict, "The channel was settled on chain."),
            CloseAgreementRefusal.NothingToClose => (StatusCodes.Status409Conflict, "Nothing was paid in either direction."),
            CloseAgreementRefusal.AgreementPending => (StatusCodes.Status409Conflict, "A live close agreement with other amounts exists; ask again after its deadline."),
            CloseAgreementRefusal.NotPayee => (StatusCodes.Status409Conflict, "This payee holds no key of the channel's payee."),
            CloseAgreementRefusal.WriteInFlight => (StatusCodes.Status503ServiceUnavailable, "A voucher of the channel is being written; ask again."),
            _ => (StatusCodes.Status503ServiceUnavailable, "The payee cannot sign now; ask again."),
        };
        return Results.Problem(
            title: "No close agreement",
            detail: detail,
            statusCode: status,
            extensions: new Dictionary<string, object?> { ["reason"] = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(reason.ToString()) });
    }

    private static async Task<IResult> FlagsAsync(PayeeEngine engine, string? since, CancellationToken cancellationToken)
    {
        var from = DateTimeOffset.MinValue;
        if (since is not null && !DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
        {
            return Results.Problem(title: "Bad 'since'", detail: "'since' is an ISO 8601 time.", statusCode: StatusCodes.Status400BadRequest);
        }

        var flags = await engine.ListFlagsAsync(from, cancellationToken).ConfigureAwait(false);
        return Results.Json(flags.Select(f => new
        {
            chainId = f.Key.ChainId.ToString(CultureInfo.InvariantCulture),
            contract = f.Key.Contract.ToString(),
            channelId = f.Key.ChannelId.ToString(),
            payer = f.Payer.ToString(),
            rule = f.Rule.ToString(),
            observed = Amount(f.Observed),
            limit = Amount(f.Threshold),
            refused = f.Refused,
            raisedAt = f.RaisedAt,
        }));
    }

    private static bool TryKey(string chainId, string contract, string? channelId, out ChannelKey key, out IResult? problem)
    {
        key = default;
        problem = null;
        if (!ulong.TryParse(chainId, NumberStyles.None, CultureInfo.InvariantCulture, out var chain))
        {
            problem = Results.Problem(title: "Bad chain id", detail: $"'{chainId}' is not a chain id.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        if (!Address.TryParse(contract, out var address))
        {
            problem = Results.Problem(title: "Bad contract", detail: $"'{contract}' is not an address.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        var id = default(ChannelId);
        if (channelId is not null && !ChannelId.TryParse(channelId, out id))
        {
            problem = Results.Problem(title: "Bad channel id", detail: $"'{channelId}' is not 32 bytes of hex.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }

        key = new ChannelKey(chain, address, channelId is null ? ChannelId.FromBytes(new byte[32]) : id);
        return true;
    }

    /// <summary>
    /// Reads a body of at most <paramref name="max"/> bytes. A longer one (up to <see cref="MaxDrainedBody"/>) is read to
    /// its end and dropped, so the OversizedFrame answer reaches the client: answering without reading left unread
    /// bytes on the connection, Kestrel could not drain them past its body limit and reset the connection, and the
    /// client often saw "response ended prematurely" instead of the answer. Bodies beyond that are not read at all
    /// (the connection is closed after the answer).
    /// </summary>
    private static async Task<(byte[] Body, bool Oversized)> ReadBodyAsync(HttpContext context, int max, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > MaxDrainedBody)
        {
            context.Response.Headers.Connection = "close";
            return ([], true);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxDrainedBody;
        }

        var buffer = new byte[max + 1];
        var length = 0;
        var total = 0L;
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.AsMemory(length == buffer.Length ? 0 : length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
            length = total > max ? buffer.Length : length + read;
        }

        return total > max ? ([], true) : (buffer[..length], false);
    }

    private static async Task WriteFrameAsync(HttpContext context, PayeeFrame frame, bool json, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = json ? "application/json" : "application/octet-stream";
        var bytes = json ? PayeeJsonCodec.EncodeUtf8(frame) : PayeeFrameCodec.Encode(frame);
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static string Amount(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}
