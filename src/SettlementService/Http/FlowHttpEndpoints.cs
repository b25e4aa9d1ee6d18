using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;
using Settlement.Service.Reconciliation;
using Settlement.Service.Reconciliation.Sources;

namespace Settlement.SettlementService.Http;

/// <summary>
/// The flows over HTTP, mapped when the flows run (<c>AddPlatformFlows</c>): <c>POST /flows/topups</c> starts a top-up
/// (idempotent per <c>flowId</c>; 202 with the flow, 200 for a repeat, 400 with the refusal's name), <c>GET /flows</c>
/// (<c>?unfinished=true</c>), <c>GET /flows/{id}</c> with its history, <c>POST /flows/payouts</c> runs a payout batch
/// now, <c>POST /sweeping-consents</c> registers a sweeping VRP consent against a channel (201, 200 for a repeat, 409
/// with other parameters, 400 invalid), <c>GET /sweeping-consents/{id}</c> shows it with what its period has used,
/// <c>POST /flows/recharges</c> starts a recharge under one (idempotent per consent and <c>idempotencyKey</c>; 202, 200
/// for a repeat, 400 with the refusal's name), <c>POST /flows/{id}/bank-return</c> records a bank's return of a top-up or payout, <c>GET /reconciliation</c>
/// (<c>?format=json|csv|table</c>) reconciles bank, ledger and chain from stored data (break count in
/// <c>X-Reconciliation-Breaks</c>). Bodies are JSON; amounts in
/// pence are integers; a body that is not the expected JSON (or not UTF-8) answers 400 and changes nothing.
/// </summary>
internal static class FlowHttpEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/flows/topups", StartTopupAsync);
        app.MapGet("/flows", ListAsync);
        app.MapGet("/flows/{id:guid}", GetAsync);
        app.MapPost("/flows/payouts", RunPayoutsAsync);
        app.MapPost("/flows/{id:guid}/bank-return", RecordReturnAsync);
        app.MapPost("/sweeping-consents", RegisterConsentAsync);
        app.MapGet("/sweeping-consents/{id}", GetConsentAsync);
        app.MapPost("/flows/recharges", StartRechargeAsync);
        app.MapGet("/reconciliation", ReconcileAsync);
    }

    private static async Task ReconcileAsync(HttpContext context, IServiceProvider services)
    {
        if (services.GetService(typeof(SettlementReconciliation)) is not SettlementReconciliation reconciliation)
        {
            await ProblemAsync(context, 404, "reconciliation is not configured in this service").ConfigureAwait(false);
            return;
        }

        var format = context.Request.Query["format"].ToString() is { Length: > 0 } f ? f : "json";
        if (format is not ("json" or "csv" or "table"))
        {
            await ProblemAsync(context, 400, "format must be json, csv or table").ConfigureAwait(false);
            return;
        }

        // Computed from the stored data alone (ledger, flows, indexer, bank transfer store): the same input gives the same report.
        var report = await reconciliation.RunAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = 200;
        context.Response.Headers["X-Reconciliation-Breaks"] = report.BreakCount.ToString(CultureInfo.InvariantCulture);
        switch (format)
        {
            case "csv":
                context.Response.ContentType = "text/csv; charset=utf-8";
                await context.Response.WriteAsync(BreakReport.ToCsv(report.Run), context.RequestAborted).ConfigureAwait(false);
                break;
            case "table":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(BreakReport.ToTable(report.Run), context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(BreakReport.ToJson(report.Run), context.RequestAborted).ConfigureAwait(false);
                break;
        }
    }

    private static async Task StartTopupAsync(HttpContext context, SettlementFlows flows)
    {
        var body = await ReadAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await ProblemAsync(context, 400, "the body must be a JSON object of at most 16 KiB").ConfigureAwait(false);
            return;
        }

        if (!TryTopup(body.Value, out var request, out var problem))
        {
            await ProblemAsync(context, 400, problem ?? "invalid top-up").ConfigureAwait(false);
            return;
        }

        var start = await flows.StartTopupAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (!start.Accepted || start.Flow is null)
        {
            await WriteAsync(context, 400, w =>
            {
                w.WriteString("refusal", start.Refusal?.ToString());
                w.WriteString("detail", start.Detail);
            }).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, start.Created ? 202 : 200, w => WriteTopup(w, start.Flow)).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, SettlementFlows flows)
    {
        var unfinished = string.Equals(context.Request.Query["unfinished"], "true", StringComparison.OrdinalIgnoreCase);
        var list = await flows.ListAsync(unfinishedOnly: unfinished, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 200, w =>
        {
            w.WriteStartArray("flows");
            foreach (var f in list)
            {
                w.WriteStartObject();
                WriteSnapshot(w, f);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task GetAsync(HttpContext context, SettlementFlows flows, Guid id)
    {
        var snapshot = await flows.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (snapshot is null)
        {
            await ProblemAsync(context, 404, $"no flow {id}").ConfigureAwait(false);
            return;
        }

        var history = await flows.GetHistoryAsync(id, context.RequestAborted).ConfigureAwait(false);
        var topup = snapshot.Kind switch
        {
            FlowKind.Topup => await flows.GetTopupAsync(id, context.RequestAborted).ConfigureAwait(false),
            FlowKind.Recharge => await flows.GetRechargeAsync(id, context.RequestAborted).ConfigureAwait(false),
            _ => null,
        };
        var payout = snapshot.Kind == FlowKind.Payout ? await flows.GetPayoutAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
        await WriteAsync(context, 200, w =>
        {
            WriteSnapshot(w, snapshot);
            if (topup is not null)
            {
                WriteTopupDetail(w, topup);
            }

            if (payout is not null)
            {
                w.WriteString("merchant", payout.Order.MerchantId);
                w.WriteNumber("amountPence", payout.Order.AmountPence);
                w.WriteNumber("feePence", payout.Order.FeePence);
                w.WriteString("burnTransaction", payout.Burn?.TransactionHash);
                w.WriteString("bankOperationId", payout.BankOperationId.ToString());
            }

            w.WriteStartArray("history");
            foreach (var h in history)
            {
                w.WriteStartObject();
                w.WriteString("at", h.At.ToString("O", CultureInfo.InvariantCulture));
                w.WriteString("from", h.FromState);
                w.WriteString("to", h.ToState);
                w.WriteString("event", h.Event);
                w.WriteString("detail", h.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task RunPayoutsAsync(HttpContext context, SettlementFlows flows)
    {
        var batch = await flows.RunPayoutBatchAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 200, w =>
        {
            w.WriteString("batchId", batch.BatchId.ToString());
            w.WriteStartArray("items");
            foreach (var item in batch.Items)
            {
                w.WriteStartObject();
                w.WriteString("merchant", item.MerchantId);
                w.WriteString("outcome", item.Outcome.ToString());
                w.WriteNumber("amountPence", item.AmountPence);
                w.WriteString("flowId", item.FlowId?.ToString());
                w.WriteString("state", item.State?.ToString());
                w.WriteString("detail", item.Detail);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task RecordReturnAsync(HttpContext context, SettlementFlows flows, Guid id)
    {
        var body = await ReadAsync(context).ConfigureAwait(false);
        if (body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("reason", out var reason) || reason.ValueKind != JsonValueKind.String
            || reason.GetString() is not { Length: > 0 and <= 200 } text)
        {
            await ProblemAsync(context, 400, "the body must be {\"reason\": \"…\"} (1–200 characters)").ConfigureAwait(false);
            return;
        }

        var result = await flows.RecordBankReturnAsync(id, text, context.RequestAborted).ConfigureAwait(false);
        var status = result.Outcome switch
        {
            BankReturnOutcome.Recorded => 202,
            BankReturnOutcome.AlreadyRecorded => 200,
            BankReturnOutcome.NotFound => 404,
            _ => 409,
        };
        await WriteAsync(context, status, w =>
        {
            w.WriteString("outcome", result.Outcome.ToString());
            w.WriteString("state", result.Flow?.State);
        }).ConfigureAwait(false);
    }

    private static async Task RegisterConsentAsync(HttpContext context, SettlementFlows flows, IServiceProvider services)
    {
        if (!await RechargesConfiguredAsync(context, services).ConfigureAwait(false))
        {
            return;
        }

        if (await ReadAsync(context).ConfigureAwait(false) is not { ValueKind: JsonValueKind.Object } body)
        {
            await ProblemAsync(context, 400, "the body must be a JSON object of at most 16 KiB").ConfigureAwait(false);
            return;
        }

        if (!TryConsent(body, out var consent, out var problem))
        {
            await ProblemAsync(context, 400, problem ?? "required: consentId, userId, bank, payerAddress, payeeAddress, channelId, maxPerPaymentPence, maxPerPeriodPence "
                + "(integers), periodType (Day|Week|Fortnight|Month|HalfYear|Year), periodAlignment (Consent|Calendar), validFrom; optional validTo").ConfigureAwait(false);
            return;
        }

        var result = await flows.RegisterSweepingConsentAsync(consent, context.RequestAborted).ConfigureAwait(false);
        var status = result.Outcome switch
        {
            SweepingConsentOutcome.Registered => 201,
            SweepingConsentOutcome.AlreadyRegistered => 200,
            SweepingConsentOutcome.ExistsWithDifferentParameters => 409,
            _ => 400,
        };
        await WriteAsync(context, status, w =>
        {
            w.WriteString("outcome", result.Outcome.ToString());
            w.WriteString("detail", result.Detail);
            if (result.Consent is { } c)
            {
                WriteConsent(w, c);
            }
        }).ConfigureAwait(false);
    }

    private static async Task GetConsentAsync(HttpContext context, SettlementFlows flows, IServiceProvider services, TimeProvider time, string id)
    {
        if (!await RechargesConfiguredAsync(context, services).ConfigureAwait(false))
        {
            return;
        }

        if (await flows.GetSweepingConsentAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } consent)
        {
            await ProblemAsync(context, 404, $"no sweeping consent '{id}'").ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        var used = now < consent.ValidFrom ? 0 : await flows.GetSweptInPeriodAsync(consent, now, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, 200, w =>
        {
            WriteConsent(w, consent);
            w.WriteNumber("usedInPeriodPence", used);
        }).ConfigureAwait(false);
    }

    private static async Task StartRechargeAsync(HttpContext context, SettlementFlows flows, IServiceProvider services)
    {
        if (!await RechargesConfiguredAsync(context, services).ConfigureAwait(false))
        {
            return;
        }

        var body = await ReadAsync(context).ConfigureAwait(false);
        if (body is not { ValueKind: JsonValueKind.Object } b || !TryString(b, "consentId", out var consentId) || !TryString(b, "idempotencyKey", out var key)
            || !b.TryGetProperty("amountPence", out var amount) || amount.ValueKind != JsonValueKind.Number || !amount.TryGetInt64(out var pence))
        {
            await ProblemAsync(context, 400, "required: consentId, idempotencyKey, amountPence (integer); optional channelId").ConfigureAwait(false);
            return;
        }

        var request = new RechargeRequest { ConsentId = consentId, IdempotencyKey = key, AmountPence = pence, ChannelId = TryString(b, "channelId", out var channel) ? channel : null };
        var start = await flows.StartRechargeAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (!start.Accepted || start.Flow is null)
        {
            await WriteAsync(context, 400, w =>
            {
                w.WriteString("refusal", start.Refusal?.ToString());
                w.WriteString("detail", start.Detail);
            }).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, start.Created ? 202 : 200, w =>
        {
            WriteTopup(w, start.Flow);
            w.WriteString("problem", start.Flow.Problem is { } p ? $"{p.Code}: {p.Detail}" : null);
        }).ConfigureAwait(false);
    }

    private static async Task<bool> RechargesConfiguredAsync(HttpContext context, IServiceProvider services)
    {
        if (services.GetService(typeof(IBankSweeps)) is not null && services.GetService(typeof(ISweepingConsentStore)) is not null)
        {
            return true;
        }

        await ProblemAsync(context, 404, "recharges are not configured in this service (no sweeping VRP connector)").ConfigureAwait(false);
        return false;
    }

    private static bool TryConsent(JsonElement body, out SweepingConsent consent, out string? problem)
    {
        consent = null!;
        problem = null;
        if (!TryString(body, "consentId", out var id) || !TryString(body, "userId", out var user) || !TryString(body, "bank", out var bank)
            || !TryString(body, "payerAddress", out var payer) || !TryString(body, "payeeAddress", out var payee) || !TryString(body, "channelId", out var channel)
            || !TryLong(body, "maxPerPaymentPence", out var perPayment) || !TryLong(body, "maxPerPeriodPence", out var perPeriod)
            || !TryString(body, "periodType", out var typeText) || !TryString(body, "periodAlignment", out var alignmentText)
            || !TryString(body, "validFrom", out var fromText))
        {
            return false;
        }

        if (!Enum.TryParse<SweepPeriodType>(typeText, ignoreCase: false, out var type) || !Enum.IsDefined(type)
            || !Enum.TryParse<SweepPeriodAlignment>(alignmentText, ignoreCase: false, out var alignment) || !Enum.IsDefined(alignment))
        {
            problem = "unknown periodType or periodAlignment";
            return false;
        }

        if (!DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var from))
        {
            problem = "validFrom is not an ISO 8601 time";
            return false;
        }

        DateTimeOffset? to = null;
        if (TryString(body, "validTo", out var toText))
        {
            if (!DateTimeOffset.TryParse(toText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
            {
                problem = "validTo is not an ISO 8601 time";
                return false;
            }

            to = parsed;
        }

        consent = new SweepingConsent
        {
            ConsentId = id, UserId = user, Bank = bank, PayerAddress = payer, PayeeAddress = payee, ChannelId = channel, MaxPerPaymentPence = perPayment,
            MaxPerPeriodPence = perPeriod, PeriodType = type, PeriodAlignment = alignment, ValidFrom = from, ValidTo = to,
        };
        return true;
    }

    private static void WriteConsent(Utf8JsonWriter w, SweepingConsent c)
    {
        w.WriteString("consentId", c.ConsentId);
        w.WriteString("userId", c.UserId);
        w.WriteString("bank", c.Bank);
        w.WriteString("payerAddress", c.PayerAddress);
        w.WriteString("payeeAddress", c.PayeeAddress);
        w.WriteString("channelId", c.ChannelId);
        w.WriteNumber("maxPerPaymentPence", c.MaxPerPaymentPence);
        w.WriteNumber("maxPerPeriodPence", c.MaxPerPeriodPence);
        w.WriteString("periodType", c.PeriodType.ToString());
        w.WriteString("periodAlignment", c.PeriodAlignment.ToString());
        w.WriteString("validFrom", c.ValidFrom.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("validTo", c.ValidTo?.ToString("O", CultureInfo.InvariantCulture));
    }

    private static bool TryLong(JsonElement parent, string name, out long value)
    {
        value = 0;
        return parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value);
    }

    private static bool TryTopup(JsonElement body, out TopupRequest request, out string? problem)
    {
        request = null!;
        problem = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problem = "the body must be a JSON object";
            return false;
        }

        if (!TryGuid(body, "flowId", out var flowId) || !TryString(body, "userId", out var user) || !TryString(body, "bank", out var bank)
            || !body.TryGetProperty("amountPence", out var amount) || amount.ValueKind != JsonValueKind.Number || !amount.TryGetInt64(out var pence)
            || !TryString(body, "payerAddress", out var payer) || !TryString(body, "payeeAddress", out var payee))
        {
            problem = "required: flowId (uuid), userId, bank, amountPence (integer), payerAddress, payeeAddress";
            return false;
        }

        AccountIdentification? debtor = null;
        if (body.TryGetProperty("debtorAccount", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            if (!TryString(d, "identification", out var identification))
            {
                problem = "debtorAccount needs identification (and optionally scheme, name)";
                return false;
            }

            debtor = new AccountIdentification(
                TryString(d, "scheme", out var scheme) ? scheme : "UK.OBIE.SortCodeAccountNumber", identification, TryString(d, "name", out var name) ? name : identification);
        }

        request = new TopupRequest
        {
            FlowId = flowId,
            UserId = user,
            Bank = bank,
            AmountPence = pence,
            PayerAddress = payer,
            PayeeAddress = payee,
            ChannelId = TryString(body, "channelId", out var channel) ? channel : null,
            Reference = TryString(body, "reference", out var reference) ? reference : null,
            DebtorAccount = debtor,
        };
        return true;
    }

    private static bool TryString(JsonElement parent, string name, out string value)
    {
        value = string.Empty;
        if (parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { } s)
        {
            value = s;
            return true;
        }

        return false;
    }

    private static bool TryGuid(JsonElement parent, string name, out Guid value)
    {
        value = Guid.Empty;
        return TryString(parent, name, out var text) && Guid.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    private static async Task<JsonElement?> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var read = 0;
        int n;
        while ((n = await context.Request.Body.ReadAsync(buffer.AsMemory(read), context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += n;
            if (read > MaxBodyBytes)
            {
                return null;
            }
        }

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which would answer 500, not 400.
        if (!Utf8.IsValid(buffer.AsSpan(0, read)))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, read));
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteSnapshot(Utf8JsonWriter w, FlowSnapshot f)
    {
        w.WriteString("id", f.Id.ToString());
        w.WriteString("kind", f.Kind.ToString());
        w.WriteString("state", f.State);
        w.WriteBoolean("finished", f.Finished);
        w.WriteBoolean("needsAttention", f.NeedsAttention);
        w.WriteString("problem", f.Problem is { } p ? $"{p.Code}: {p.Detail}" : null);
        w.WriteNumber("version", f.Version);
        w.WriteString("updatedAt", f.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
    }

    private static void WriteTopup(Utf8JsonWriter w, TopupFlow flow)
    {
        w.WriteString("id", flow.Id.ToString());
        w.WriteString("kind", flow.Kind.ToString());
        w.WriteString("state", flow.State.ToString());
        WriteTopupDetail(w, flow);
    }

    private static void WriteTopupDetail(Utf8JsonWriter w, TopupFlow flow)
    {
        w.WriteString("userId", flow.Request.UserId);
        w.WriteNumber("amountPence", flow.Request.AmountPence);
        w.WriteString("payerAddress", flow.Request.PayerAddress);
        w.WriteString("payeeAddress", flow.Request.PayeeAddress);
        w.WriteString("bankOperationId", flow.BankOperationId.ToString());
        w.WriteString("authorizationUrl", flow.AuthorizationUrl?.AbsoluteUri);
        w.WriteString("fundingTransaction", flow.Funding?.TransactionHash);
        w.WriteString("channelId", flow.Funding?.ChannelId ?? flow.Request.ChannelId);
        if (flow.Request.SweepingConsentId is { } consent)
        {
            w.WriteString("consentId", consent);
        }
    }

    private static async Task ProblemAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        await using var w = new Utf8JsonWriter(context.Response.Body, WriterOptions);
        w.WriteStartObject();
        w.WriteNumber("status", status);
        w.WriteString("title", status == 404 ? "not found" : "bad request");
        w.WriteString("detail", detail);
        w.WriteEndObject();
        await w.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body, WriterOptions);
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
        await w.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
