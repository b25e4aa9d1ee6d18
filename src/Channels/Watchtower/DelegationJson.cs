using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Settlement.Channels.Contracts;
using Settlement.Channels.Transport;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The JSON body of <c>POST /delegations</c> (docs/watchtower.md): the deployment, the channel's parameters and the
/// voucher in the payee's JSON VOUCHER form (docs/payee.md, "JSON form"), so a payee forwards exactly what it accepted.
/// <code>{"chainId":31337,"contract":"0x…","channel":{"payer":"0x…","payee":"0x…","token":"0x…","challengePeriod":3600,"nonce":1},
///  "voucher":{"type":"voucher","channelId":"0x…","cumulativeAmount":"900","signature":"0x…65 bytes…"}}</code>
/// Decoding never throws on untrusted input.
/// </summary>
public static class DelegationJson
{
    /// <summary>The longest body accepted, in UTF-8 bytes.</summary>
    public const int MaxLength = 8192;

    /// <summary>The JSON of a delegation of <paramref name="channel"/> with <paramref name="voucher"/>.</summary>
    public static byte[] Encode(ulong chainId, Address contract, ChannelParameters channel, VoucherFrame voucher)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(voucher);
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("chainId", chainId);
            writer.WriteString("contract", contract.ToString());
            writer.WriteStartObject("channel");
            writer.WriteString("payer", channel.Payer.ToString());
            writer.WriteString("payee", channel.Payee.ToString());
            writer.WriteString("token", channel.Token.ToString());
            writer.WriteNumber("challengePeriod", channel.ChallengePeriodSeconds);
            writer.WriteNumber("nonce", channel.Nonce);
            writer.WriteEndObject();
            writer.WritePropertyName("voucher");
            writer.WriteRawValue(PayeeJsonCodec.EncodeUtf8(voucher), skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a body; false with a sentence naming what is wrong.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out DelegationRequest? request, out string error)
    {
        request = null;
        if (utf8Json.Length > MaxLength)
        {
            error = $"The body is longer than {MaxLength} bytes.";
            return false;
        }

        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string is read (GetString, GetRawText), which a decoder of
        // untrusted bytes must not let out.
        if (!Utf8.IsValid(utf8Json))
        {
            error = "The body is not UTF-8.";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The body is not a JSON object.";
                return false;
            }

            if (!root.TryGetProperty("chainId", out var chainIdElement) || chainIdElement.ValueKind != JsonValueKind.Number || !chainIdElement.TryGetUInt64(out var chainId))
            {
                error = "'chainId' is missing or not an unsigned integer.";
                return false;
            }

            if (!TryAddress(root, "contract", out var contract, out error)
                || !root.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.Object)
            {
                error = error.Length > 0 ? error : "'channel' is missing or not an object.";
                return false;
            }

            if (!TryAddress(channel, "payer", out var payer, out error)
                || !TryAddress(channel, "payee", out var payee, out error)
                || !TryAddress(channel, "token", out var token, out error))
            {
                return false;
            }

            if (!channel.TryGetProperty("challengePeriod", out var periodElement) || periodElement.ValueKind != JsonValueKind.Number || !periodElement.TryGetUInt32(out var period))
            {
                error = "'channel.challengePeriod' is missing or not a uint32.";
                return false;
            }

            if (!channel.TryGetProperty("nonce", out var nonceElement) || nonceElement.ValueKind != JsonValueKind.Number || !nonceElement.TryGetUInt64(out var nonce))
            {
                error = "'channel.nonce' is missing or not a uint64.";
                return false;
            }

            if (!root.TryGetProperty("voucher", out var voucherElement) || voucherElement.ValueKind != JsonValueKind.Object)
            {
                error = "'voucher' is missing or not an object.";
                return false;
            }

            if (!PayeeJsonCodec.TryDecode(voucherElement.GetRawText(), out var frame, out var code) || frame is not VoucherFrame voucher)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"'voucher' is not a JSON VOUCHER frame ({PayeeJsonCodec.CodeName(code)}).");
                return false;
            }

            request = new DelegationRequest(
                chainId, contract, new ChannelParameters(payer, payee, token, period, nonce), voucher.ChannelId, voucher.CumulativeAmount, voucher.Signature);
            error = "";
            return true;
        }
        catch (JsonException)
        {
            error = "The body is not valid JSON.";
            return false;
        }
    }

    private static bool TryAddress(JsonElement parent, string name, out Address address, out string error)
    {
        if (parent.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && Address.TryParse(element.GetString(), out address))
        {
            error = "";
            return true;
        }

        address = Address.Zero;
        error = $"'{name}' is missing or not an address.";
        return false;
    }
}
