using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Transport.Http402;

/// <summary>
/// Writes and reads the three HTTP 402 documents. Readers never throw on untrusted text (a number read where a
/// string is sent, and invalid UTF-8 inside a string, both made <see cref="JsonElement"/> throw: each has a test): they return false with a
/// short reason (for the 402 answer and the logs) and accept only canonical decimal amounts (no sign, no leading
/// zero, at most 78 digits), 0x-hex addresses, ids and signatures, and the fields documented in docs/payee.md.
/// </summary>
public static class Http402Codec
{
    private const int MaxAmountDigits = 78; // 2^256 − 1
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 5 };

    /// <summary>The JSON of a 402 answer (its body), as UTF-8.</summary>
    public static byte[] EncodeJson(PaymentRequired required)
    {
        ArgumentNullException.ThrowIfNull(required);
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("x402Version", PaymentHeaders.Version);
            writer.WriteString("error", required.Error);
            if (required.Reason is not null)
            {
                writer.WriteString("reason", required.Reason);
            }

            writer.WriteStartObject("resource");
            writer.WriteString("url", required.Resource);
            writer.WriteEndObject();
            writer.WriteStartArray("accepts");
            foreach (var offer in required.Accepts)
            {
                WriteOffer(writer, offer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The <see cref="PaymentHeaders.Required"/> header value: base64 of <see cref="EncodeJson(PaymentRequired)"/>.</summary>
    public static string EncodeHeader(PaymentRequired required) => Convert.ToBase64String(EncodeJson(required));

    /// <summary>The <see cref="PaymentHeaders.Signature"/> header value.</summary>
    public static string EncodeHeader(PaymentPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Convert.ToBase64String(Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("x402Version", PaymentHeaders.Version);
            writer.WriteString("scheme", PaymentHeaders.Scheme);
            writer.WriteString("network", PaymentHeaders.Network(payload.ChainId));
            writer.WriteStartObject("payload");
            writer.WriteString("contract", payload.Contract.ToString());
            writer.WriteString("channelId", payload.ChannelId.ToString());
            WriteAmount(writer, "cumulativeAmount", payload.CumulativeAmount);
            writer.WriteString("signature", Hex.Encode(payload.Signature.Span));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }));
    }

    /// <summary>The <see cref="PaymentHeaders.Response"/> header value.</summary>
    public static string EncodeHeader(PaymentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Convert.ToBase64String(Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("success", true);
            writer.WriteString("scheme", PaymentHeaders.Scheme);
            writer.WriteString("network", PaymentHeaders.Network(response.ChainId));
            writer.WriteString("channelId", response.ChannelId.ToString());
            WriteAmount(writer, "cumulative", response.Cumulative);
            WriteAmount(writer, "charged", response.Charged);
            writer.WriteString("credit", response.Credit.ToString(CultureInfo.InvariantCulture));
            if (response.ReceiptIssuedAt is { } issuedAt && response.ReceiptSignature is { } signature)
            {
                writer.WriteStartObject("receipt");
                writer.WriteNumber("issuedAt", issuedAt);
                writer.WriteString("signature", signature.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }));
    }

    /// <summary>Reads a 402 answer from its <see cref="PaymentHeaders.Required"/> header value. Never throws.</summary>
    public static bool TryDecodeRequiredHeader(string? header, [NotNullWhen(true)] out PaymentRequired? required, out string? error)
    {
        required = null;
        return TryUnwrap(header, out var json, out error) && TryDecodeRequired(json, out required, out error);
    }

    /// <summary>Reads a 402 answer from its JSON body. Never throws.</summary>
    public static bool TryDecodeRequired(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out PaymentRequired? required, out string? error)
    {
        required = null;
        if (!TryParse(utf8Json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!IsVersion(root, out error)
                || !TryString(root, "error", out var errorCode, out error)
                || !TryObject(root, "resource", out var resource, out error)
                || !TryString(resource, "url", out var url, out error)
                || !root.TryGetProperty("accepts", out var accepts) || accepts.ValueKind != JsonValueKind.Array)
            {
                error ??= "accepts: missing or not an array";
                return false;
            }

            string? reason = null;
            if (root.TryGetProperty("reason", out var reasonElement))
            {
                if (reasonElement.ValueKind != JsonValueKind.String)
                {
                    error = "reason: not a string";
                    return false;
                }

                reason = reasonElement.GetString();
            }

            var offers = new List<PaymentOffer>();
            foreach (var element in accepts.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object || !TryString(element, "scheme", out var scheme, out error))
                {
                    error ??= "accepts: an item is not an object";
                    return false;
                }

                if (scheme != PaymentHeaders.Scheme)
                {
                    continue; // another scheme: not ours to read
                }

                if (!TryOffer(element, out var offer, out error))
                {
                    return false;
                }

                offers.Add(offer);
            }

            required = new PaymentRequired(errorCode, reason, url, offers);
            error = null;
            return true;
        }
    }

    /// <summary>Reads a <see cref="PaymentHeaders.Signature"/> header value. Never throws.</summary>
    public static bool TryDecodePayloadHeader(string? header, [NotNullWhen(true)] out PaymentPayload? payload, out string? error)
    {
        payload = null;
        if (!TryUnwrap(header, out var json, out error) || !TryParse(json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!IsVersion(root, out error)
                || !TryString(root, "scheme", out var scheme, out error)
                || !TryNetwork(root, out var chainId, out error)
                || !TryObject(root, "payload", out var body, out error)
                || !TryAddress(body, "contract", out var contract, out error)
                || !TryChannelId(body, "channelId", out var channelId, out error)
                || !TryAmount(body, "cumulativeAmount", out var amount, out error)
                || !TryHex(body, "signature", out var signature, out error))
            {
                return false;
            }

            if (scheme != PaymentHeaders.Scheme)
            {
                error = $"scheme: '{Shorten(scheme)}' is not {PaymentHeaders.Scheme}";
                return false;
            }

            payload = new PaymentPayload(chainId, contract, channelId, amount, signature);
            return true;
        }
    }

    /// <summary>Reads a <see cref="PaymentHeaders.Response"/> header value. Never throws.</summary>
    public static bool TryDecodeResponseHeader(string? header, [NotNullWhen(true)] out PaymentResponse? response, out string? error)
    {
        response = null;
        if (!TryUnwrap(header, out var json, out error) || !TryParse(json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("success", out var success) || success.ValueKind != JsonValueKind.True)
            {
                error = "success: missing or not true";
                return false;
            }

            if (!TryString(root, "scheme", out var scheme, out error) || scheme != PaymentHeaders.Scheme)
            {
                error ??= $"scheme: '{Shorten(scheme)}' is not {PaymentHeaders.Scheme}";
                return false;
            }

            if (!TryNetwork(root, out var chainId, out error)
                || !TryChannelId(root, "channelId", out var channelId, out error)
                || !TryAmount(root, "cumulative", out var cumulative, out error)
                || !TryAmount(root, "charged", out var charged, out error)
                || !TrySignedAmount(root, "credit", out var credit, out error))
            {
                return false;
            }

            ulong? issuedAt = null;
            EcdsaSignature? receipt = null;
            if (root.TryGetProperty("receipt", out var receiptElement))
            {
                if (receiptElement.ValueKind != JsonValueKind.Object
                    || !receiptElement.TryGetProperty("issuedAt", out var issued) || issued.ValueKind != JsonValueKind.Number || !issued.TryGetUInt64(out var issuedValue)
                    || !TryHex(receiptElement, "signature", out var signatureBytes, out error)
                    || !EcdsaSignature.TryParseRsv(signatureBytes, out var signature))
                {
                    error ??= "receipt: malformed";
                    return false;
                }

                issuedAt = issuedValue;
                receipt = signature;
            }

            response = new PaymentResponse(chainId, channelId, cumulative, charged, credit, issuedAt, receipt);
            return true;
        }
    }

    private static void WriteOffer(Utf8JsonWriter writer, PaymentOffer offer)
    {
        writer.WriteStartObject();
        writer.WriteString("scheme", PaymentHeaders.Scheme);
        writer.WriteString("network", PaymentHeaders.Network(offer.ChainId));
        WriteAmount(writer, "amount", offer.Amount);
        writer.WriteString("asset", offer.Asset.ToString());
        writer.WriteString("payTo", offer.PayTo.ToString());
        writer.WriteNumber("maxTimeoutSeconds", offer.MaxTimeoutSeconds);
        writer.WriteStartObject("extra");
        writer.WriteString("contract", offer.Contract.ToString());
        WriteAmount(writer, "pricePerRequest", offer.PricePerRequest);
        WriteAmount(writer, "pricePerByte", offer.PricePerByte);
        WriteAmount(writer, "maxUnpaid", offer.MaxUnpaid);
        WriteAmount(writer, "minDeposit", offer.MinDeposit);
        if (offer.ReceiptSigner is { } signer)
        {
            writer.WriteString("receiptSigner", signer.ToString());
        }

        if (offer.ChannelId is { } channelId)
        {
            writer.WriteString("channelId", channelId.ToString());
        }

        if (offer.Stored is { } stored)
        {
            WriteAmount(writer, "stored", stored);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static bool TryOffer(JsonElement element, [NotNullWhen(true)] out PaymentOffer? offer, out string? error)
    {
        offer = null;
        if (!TryNetwork(element, out var chainId, out error)
            || !TryAmount(element, "amount", out var amount, out error)
            || !TryAddress(element, "asset", out var asset, out error)
            || !TryAddress(element, "payTo", out var payTo, out error)
            || !element.TryGetProperty("maxTimeoutSeconds", out var timeoutElement) || timeoutElement.ValueKind != JsonValueKind.Number || !timeoutElement.TryGetInt32(out var timeout) || timeout < 0
            || !TryObject(element, "extra", out var extra, out error)
            || !TryAddress(extra, "contract", out var contract, out error)
            || !TryAmount(extra, "pricePerRequest", out var perRequest, out error)
            || !TryAmount(extra, "pricePerByte", out var perByte, out error)
            || !TryAmount(extra, "maxUnpaid", out var maxUnpaid, out error)
            || !TryAmount(extra, "minDeposit", out var minDeposit, out error))
        {
            error ??= "maxTimeoutSeconds: missing or not a non-negative integer";
            return false;
        }

        Address? receiptSigner = null;
        if (extra.TryGetProperty("receiptSigner", out _))
        {
            if (!TryAddress(extra, "receiptSigner", out var signer, out error))
            {
                return false;
            }

            receiptSigner = signer;
        }

        ChannelId? channelId = null;
        if (extra.TryGetProperty("channelId", out _))
        {
            if (!TryChannelId(extra, "channelId", out var id, out error))
            {
                return false;
            }

            channelId = id;
        }

        BigInteger? stored = null;
        if (extra.TryGetProperty("stored", out _))
        {
            if (!TryAmount(extra, "stored", out var storedAmount, out error))
            {
                return false;
            }

            stored = storedAmount;
        }

        offer = new PaymentOffer(chainId, contract, payTo, asset, amount, perRequest, perByte, maxUnpaid, minDeposit, timeout, receiptSigner, channelId, stored);
        return true;
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAmount(Utf8JsonWriter writer, string name, BigInteger amount)
    {
        if (amount.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(name, amount, "An amount is never negative.");
        }

        writer.WriteString(name, amount.ToString(CultureInfo.InvariantCulture));
    }

    private static bool TryUnwrap(string? header, out byte[] json, out string? error)
    {
        json = [];
        if (string.IsNullOrEmpty(header))
        {
            error = "empty header";
            return false;
        }

        if (header.Length > PaymentHeaders.MaxHeaderLength)
        {
            error = $"header longer than {PaymentHeaders.MaxHeaderLength} characters";
            return false;
        }

        var bytes = new byte[header.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(header, bytes, out var written))
        {
            error = "header is not base64";
            return false;
        }

        json = bytes.AsSpan(0, written).ToArray();
        error = null;
        return true;
    }

    private static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out JsonDocument? document, out string? error)
    {
        document = null;
        if (utf8Json.Length > PaymentHeaders.MaxHeaderLength * 4)
        {
            error = "document too long";
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            error = "not UTF-8"; // JsonDocument checks a string's UTF-8 only when it is read, by throwing
            return false;
        }

        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), DocumentOptions);
        }
        catch (JsonException)
        {
            error = "not JSON";
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            error = "not a JSON object";
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsVersion(JsonElement root, out string? error)
    {
        if (root.TryGetProperty("x402Version", out var version) && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var value) && value == PaymentHeaders.Version)
        {
            error = null;
            return true;
        }

        error = $"x402Version: must be {PaymentHeaders.Version}";
        return false;
    }

    private static bool TryString(JsonElement element, string name, out string value, out string? error)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            error = null;
            return true;
        }

        value = "";
        error = $"{name}: missing or not a string";
        return false;
    }

    private static bool TryObject(JsonElement element, string name, out JsonElement value, out string? error)
    {
        if (element.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object)
        {
            error = null;
            return true;
        }

        error = $"{name}: missing or not an object";
        return false;
    }

    private static bool TryNetwork(JsonElement element, out ulong chainId, out string? error)
    {
        chainId = 0;
        if (!TryString(element, "network", out var network, out error))
        {
            return false;
        }

        const string prefix = "eip155:";
        var digits = network.AsSpan();
        if (!digits.StartsWith(prefix, StringComparison.Ordinal)
            || !IsCanonicalDigits(digits[prefix.Length..], 20)
            || !ulong.TryParse(digits[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out chainId)
            || chainId == 0)
        {
            error = $"network: '{Shorten(network)}' is not eip155:<chain id>";
            return false;
        }

        return true;
    }

    private static bool TryAmount(JsonElement element, string name, out BigInteger amount, out string? error)
    {
        amount = BigInteger.Zero;
        if (!TryString(element, name, out var text, out error))
        {
            return false;
        }

        if (!IsCanonicalDigits(text, MaxAmountDigits))
        {
            error = $"{name}: not a canonical non-negative decimal integer";
            return false;
        }

        amount = BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    private static bool TrySignedAmount(JsonElement element, string name, out BigInteger amount, out string? error)
    {
        amount = BigInteger.Zero;
        if (!TryString(element, name, out var text, out error))
        {
            return false;
        }

        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        if (!IsCanonicalDigits(digits, MaxAmountDigits) || (negative && digits == "0"))
        {
            error = $"{name}: not a canonical decimal integer";
            return false;
        }

        amount = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (negative)
        {
            amount = -amount;
        }

        return true;
    }

    private static bool IsCanonicalDigits(ReadOnlySpan<char> text, int maxDigits)
    {
        if (text.IsEmpty || text.Length > maxDigits || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryAddress(JsonElement element, string name, out Address address, out string? error)
    {
        address = Address.Zero;
        if (!TryString(element, name, out var text, out error))
        {
            return false;
        }

        if (!Address.TryParse(text, out address))
        {
            error = $"{name}: not a 20-byte 0x address";
            return false;
        }

        return true;
    }

    private static bool TryChannelId(JsonElement element, string name, out ChannelId id, out string? error)
    {
        id = default;
        if (!TryString(element, name, out var text, out error))
        {
            return false;
        }

        if (!ChannelId.TryParse(text, out id))
        {
            error = $"{name}: not a 32-byte 0x id";
            return false;
        }

        return true;
    }

    private static bool TryHex(JsonElement element, string name, out byte[] bytes, out string? error)
    {
        bytes = [];
        if (!TryString(element, name, out var text, out error))
        {
            return false;
        }

        if (text.Length > 2 + 2 * EcdsaSignature.RsvLength || !Hex.HasPrefix(text) || !Hex.TryDecode(text, out var decoded))
        {
            error = $"{name}: not 0x hex of at most {EcdsaSignature.RsvLength} bytes";
            return false;
        }

        bytes = decoded;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
