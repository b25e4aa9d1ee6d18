using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Settlement.Channels.Payer.Recharge;

/// <summary>
/// Asks the settlement service to recharge a channel under the user's sweeping VRP consent
/// (<c>POST /flows/recharges</c>, docs/settlement-service.md). Idempotent per (consent, key): the service answers the
/// same flow for the same key and never pays twice. The answer is untrusted: anything malformed is a refused
/// <see cref="RechargeAnswer"/>, never an exception; transport failures throw as <see cref="HttpClient"/> does (a
/// retry with the same key is safe).
/// </summary>
public sealed class SettlementRechargeClient
{
    private const int MaxAnswerLength = 16 * 1024;
    private readonly HttpClient _http;

    /// <summary>A client over <paramref name="http"/>, whose base address is the settlement service (not owned).</summary>
    public SettlementRechargeClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    /// <summary>Requests a recharge of <paramref name="amountPence"/> under <paramref name="consentId"/> for <paramref name="idempotencyKey"/>.</summary>
    public async Task<RechargeAnswer> RequestAsync(string consentId, string idempotencyKey, long amountPence, string? channelId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("consentId", consentId);
            w.WriteString("idempotencyKey", idempotencyKey);
            w.WriteNumber("amountPence", amountPence);
            if (channelId is not null)
            {
                w.WriteString("channelId", channelId);
            }

            w.WriteEndObject();
        }

        using var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        using var response = await _http.PostAsync(new Uri("flows/recharges", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > MaxAnswerLength)
        {
            return new RechargeAnswer(false, status, null, null, RechargeAnswer.MalformedAnswer, "the answer is too long");
        }

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which must not escape on a peer's answer.
        if (!Utf8.IsValid(body))
        {
            return new RechargeAnswer(false, status, null, null, RechargeAnswer.MalformedAnswer, "the answer is not UTF-8");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new RechargeAnswer(false, status, null, null, RechargeAnswer.MalformedAnswer, null);
            }

            var detail = Text(root, "detail") ?? Text(root, "problem");
            if (status is not (200 or 202))
            {
                return new RechargeAnswer(false, status, null, null, Text(root, "refusal") ?? string.Create(CultureInfo.InvariantCulture, $"http-{status}"), detail);
            }

            return Text(root, "id") is { } idText && Guid.TryParse(idText, CultureInfo.InvariantCulture, out var id) && Text(root, "state") is { } state
                ? new RechargeAnswer(true, status, id, state, Text(root, "problem")?.Split(':')[0], detail)
                : new RechargeAnswer(false, status, null, null, RechargeAnswer.MalformedAnswer, null);
        }
        catch (JsonException)
        {
            return new RechargeAnswer(false, status, null, null, RechargeAnswer.MalformedAnswer, null);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
}
