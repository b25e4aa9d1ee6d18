using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Unicode;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer.Closing;

/// <summary>
/// Asks a payee service for a close agreement over HTTP (<c>POST /v1/channels/{chainId}/{contract}/{channelId}/close-agreement</c>,
/// docs/payee.md "Close agreements"). The answer is untrusted: anything that is not a well-formed agreement for the
/// requested channel is a <see cref="PayeeRefusedClose"/>, never an exception; transport failures throw as
/// <see cref="HttpClient"/> does.
/// </summary>
public sealed class PayeeCloseAgreementClient
{
    private const int MaxAnswerLength = 16 * 1024;
    private readonly HttpClient _http;

    /// <summary>A client over <paramref name="http"/>, whose base address is the payee service (not owned).</summary>
    public PayeeCloseAgreementClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    /// <summary>Asks for the payee's close agreement of <paramref name="key"/>.</summary>
    public async Task<PayeeCloseAnswer> RequestAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"v1/channels/{key.ChainId}/{key.Contract}/{key.ChannelId}/close-agreement");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), null, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString), which must not escape on a peer's answer.
        if (body.Length > MaxAnswerLength || !Utf8.IsValid(body))
        {
            return new PayeeRefusedClose(status, PayeeRefusedClose.MalformedAnswer);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (!response.IsSuccessStatusCode)
            {
                return new PayeeRefusedClose(
                    status,
                    root.ValueKind == JsonValueKind.Object && root.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
                        ? reason.GetString()!
                        : PayeeRefusedClose.MalformedAnswer);
            }

            return TryAgreement(root, key, out var agreed) ? agreed : new PayeeRefusedClose(status, PayeeRefusedClose.MalformedAnswer);
        }
        catch (JsonException)
        {
            return new PayeeRefusedClose(status, PayeeRefusedClose.MalformedAnswer);
        }
    }

    /// <summary>
    /// Whether the payee asks to close <paramref name="key"/> cooperatively (<c>GET …/close-request</c>, docs/payee.md
    /// "Cooperative idle close"): the time of its live request, or null when there is none or the answer is not a
    /// well-formed request for this channel. Answer it with <see cref="PayerChannel.CloseWithPayeeAsync"/>.
    /// </summary>
    public async Task<DateTimeOffset?> GetCloseRequestAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"v1/channels/{key.ChainId}/{key.Contract}/{key.ChannelId}/close-request");
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || body.Length > MaxAnswerLength || !Utf8.IsValid(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && TryString(root, "channelId", out var channelText) && ChannelId.TryParse(channelText, out var channelId) && channelId == key.ChannelId
                && root.TryGetProperty("requestedAt", out var at) && at.ValueKind == JsonValueKind.String && at.TryGetDateTimeOffset(out var requestedAt)
                ? requestedAt
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The payee's newest refund of <paramref name="key"/> (<c>GET …/refund</c>, docs/payee.md "Refunds"), or null when it
    /// has none or the answer is not a well-formed REFUND of this channel. Unverified: accept it with
    /// <see cref="PayerChannel.AcceptRefundAsync"/> (or <see cref="PayerChannel.FetchRefundAsync"/>, which does both).
    /// </summary>
    public async Task<SignedVoucher?> GetRefundAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"v1/channels/{key.ChainId}/{key.Contract}/{key.ChannelId}/refund");
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || body.Length > MaxAnswerLength)
        {
            return null;
        }

        return Transport.PayeeJsonCodec.TryDecode(body, out var frame, out _) && frame is Transport.RefundFrame refund && refund.ChannelId == key.ChannelId
            ? refund.ToSignedVoucher()
            : null;
    }

    private static bool TryAgreement(JsonElement root, ChannelKey key, out PayeeAgreedClose agreed)
    {
        agreed = null!;
        if (root.ValueKind != JsonValueKind.Object
            || !TryString(root, "channelId", out var channelText) || !ChannelId.TryParse(channelText, out var channelId) || channelId != key.ChannelId
            || !TryString(root, "payerToPayee", out var toPayeeText) || !TryAmount(toPayeeText, out var toPayee)
            || !TryString(root, "payeeToPayer", out var toPayerText) || !TryAmount(toPayerText, out var toPayer)
            || !root.TryGetProperty("deadline", out var deadlineElement) || deadlineElement.ValueKind != JsonValueKind.Number
            || !deadlineElement.TryGetUInt64(out var deadline) || deadline == 0
            || !TryString(root, "signature", out var signatureText) || !Hex.TryDecode(signatureText, out var signatureBytes)
            || !EcdsaSignature.TryParseRsv(signatureBytes, out var signature))
        {
            return false;
        }

        agreed = new PayeeAgreedClose(new CooperativeCloseState(key.ChannelId, toPayee, toPayer, deadline), signature);
        return true;
    }

    private static bool TryString(JsonElement root, string name, out string value)
    {
        value = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString()!;
        return true;
    }

    private static bool TryAmount(string text, out BigInteger value)
    {
        value = default;
        return text.Length is > 0 and <= 78
            && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value <= AbiWords.MaxUint256;
    }
}
