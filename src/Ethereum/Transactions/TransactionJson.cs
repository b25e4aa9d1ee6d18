using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// Reads a JSON-RPC transaction object (as <c>eth_sendTransaction</c>/<c>eth_signTransaction</c> take
/// it) into a <see cref="Transaction"/>. Quantities may be 0x-hex strings, decimal strings or JSON
/// integers. Unknown members are rejected so that a misspelt fee field cannot silently default.
/// </summary>
public static class TransactionJson
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "type", "chainId", "nonce", "to", "from", "value", "data", "input", "gas", "gasLimit",
        "maxFeePerGas", "maxPriorityFeePerGas", "gasPrice", "accessList",
    };

    /// <summary>Parses JSON text.</summary>
    /// <exception cref="FormatException">The object is not a valid transaction; the message names the member.</exception>
    public static Transaction Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Parse(doc.RootElement, out _);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The transaction is not valid JSON: " + ex.Message, ex);
        }
    }

    /// <summary>Parses a JSON object; <paramref name="from"/> is its optional "from" member.</summary>
    /// <exception cref="FormatException">The object is not a valid transaction; the message names the member.</exception>
    public static Transaction Parse(JsonElement json, out Address? from)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A transaction is a JSON object.");
        }

        foreach (var member in json.EnumerateObject())
        {
            if (!Known.Contains(member.Name))
            {
                throw new FormatException($"Unknown transaction member '{member.Name}'.");
            }
        }

        from = OptionalAddress(json, "from");
        var type = Optional(json, "type") is { } t ? Integer(t, "type") : (BigInteger?)null;
        if (type is null)
        {
            type = Has(json, "gasPrice") && !Has(json, "maxFeePerGas") ? 0 : 2;
        }

        var nonce = UInt64(Required(json, "nonce"), "nonce");
        var gas = Has(json, "gas") ? UInt64(Required(json, "gas"), "gas") : UInt64(Required(json, "gasLimit"), "gasLimit");
        if (Has(json, "gas") && Has(json, "gasLimit") && gas != UInt64(Required(json, "gasLimit"), "gasLimit"))
        {
            throw new FormatException("'gas' and 'gasLimit' differ.");
        }

        var to = OptionalAddress(json, "to");
        var value = Optional(json, "value") is { } v ? Integer(v, "value") : BigInteger.Zero;
        var data = Data(json);

        if (type == 2)
        {
            if (Has(json, "gasPrice"))
            {
                throw new FormatException("'gasPrice' does not belong in a type 2 transaction; use maxFeePerGas and maxPriorityFeePerGas.");
            }

            var chainId = UInt64(Required(json, "chainId"), "chainId");
            if (chainId == 0)
            {
                throw new FormatException("'chainId' must not be 0.");
            }

            var tx = new Eip1559Transaction
            {
                ChainId = chainId,
                Nonce = nonce,
                GasLimit = gas,
                To = to,
                Value = value,
                Data = data,
                MaxFeePerGas = Integer(Required(json, "maxFeePerGas"), "maxFeePerGas"),
                MaxPriorityFeePerGas = Integer(Required(json, "maxPriorityFeePerGas"), "maxPriorityFeePerGas"),
                AccessList = AccessList(json),
            };
            return Checked(tx);
        }

        if (type == 0)
        {
            if (Has(json, "maxFeePerGas") || Has(json, "maxPriorityFeePerGas") || Has(json, "accessList"))
            {
                throw new FormatException("A legacy (type 0) transaction has no maxFeePerGas, maxPriorityFeePerGas or accessList.");
            }

            // A legacy transaction must say which chain it is for; an explicit null asks for a
            // pre-EIP-155 transaction that every chain accepts.
            if (!json.TryGetProperty("chainId", out var chainElement))
            {
                throw new FormatException("'chainId' is required (give null only to sign a pre-EIP-155 legacy transaction, valid on every chain).");
            }

            ulong? chainId = chainElement.ValueKind == JsonValueKind.Null ? null : UInt64(chainElement, "chainId");
            if (chainId == 0)
            {
                throw new FormatException("'chainId' must not be 0.");
            }

            var tx = new LegacyTransaction
            {
                ChainId = chainId,
                Nonce = nonce,
                GasLimit = gas,
                To = to,
                Value = value,
                Data = data,
                GasPrice = Integer(Required(json, "gasPrice"), "gasPrice"),
            };
            return Checked(tx);
        }

        throw new FormatException($"Transaction type {type} is not supported (0 legacy, 2 EIP-1559).");
    }

    /// <summary>
    /// Reads a quantity: a 0x-hex string, a decimal string or a JSON integer; non-negative, below 2^256.
    /// </summary>
    /// <exception cref="FormatException">Not such a quantity.</exception>
    public static BigInteger Integer(JsonElement element, string name)
    {
        string text;
        if (element.ValueKind == JsonValueKind.Number)
        {
            text = element.GetRawText();
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            text = element.GetString()!;
        }
        else
        {
            throw new FormatException($"'{name}' must be a number or a string, not {element.ValueKind}.");
        }

        BigInteger value;
        if (Encoding.Hex.HasPrefix(text))
        {
            if (!Rpc.Quantity.TryParse(text, out value))
            {
                throw new FormatException($"'{name}' is not a valid 0x-hex quantity.");
            }
        }
        else if (text.Length == 0 || text.Length > 80 || !text.All(char.IsAsciiDigit)
            || !BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            throw new FormatException($"'{name}' must be a non-negative integer (decimal or 0x-hex), got '{(text.Length > 80 ? text[..80] + "…" : text)}'.");
        }

        if (value >= BigInteger.One << 256)
        {
            throw new FormatException($"'{name}' is 2^256 or more.");
        }

        return value;
    }

    private static Transaction Checked(Transaction tx)
    {
        try
        {
            tx.Validate();
            return tx;
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    private static ulong UInt64(JsonElement element, string name)
    {
        var value = Integer(element, name);
        return value <= ulong.MaxValue ? (ulong)value : throw new FormatException($"'{name}' does not fit in 64 bits.");
    }

    private static bool Has(JsonElement json, string name) =>
        json.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null;

    private static JsonElement? Optional(JsonElement json, string name) =>
        json.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    private static JsonElement Required(JsonElement json, string name) =>
        Optional(json, name) ?? throw new FormatException($"'{name}' is required.");

    private static Address? OptionalAddress(JsonElement json, string name)
    {
        if (Optional(json, name) is not { } e)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.String || !Address.TryParse(e.GetString(), out var address))
        {
            throw new FormatException($"'{name}' is not an address (0x and 40 hex digits, EIP-55 checksum when mixed case).");
        }

        return address;
    }

    private static byte[] Data(JsonElement json)
    {
        var data = Bytes(json, "data");
        var input = Bytes(json, "input");
        if (data is not null && input is not null && !data.AsSpan().SequenceEqual(input))
        {
            throw new FormatException("'data' and 'input' differ.");
        }

        return data ?? input ?? [];
    }

    private static byte[]? Bytes(JsonElement json, string name)
    {
        if (Optional(json, name) is not { } e)
        {
            return null;
        }

        var text = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (text is null || !Encoding.Hex.HasPrefix(text) || !Encoding.Hex.TryDecode(text, out var bytes))
        {
            throw new FormatException($"'{name}' must be 0x-prefixed hex with an even number of digits.");
        }

        return bytes;
    }

    private static IReadOnlyList<AccessListEntry> AccessList(JsonElement json)
    {
        if (Optional(json, "accessList") is not { } list)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("'accessList' must be an array.");
        }

        var entries = new List<AccessListEntry>();
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("An accessList entry is an object {address, storageKeys}.");
            }

            var address = OptionalAddress(entry, "address") ?? throw new FormatException("An accessList entry needs 'address'.");
            var keys = new List<byte[]>();
            if (Optional(entry, "storageKeys") is { } keyArray)
            {
                if (keyArray.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("'storageKeys' must be an array.");
                }

                foreach (var key in keyArray.EnumerateArray())
                {
                    if (key.ValueKind != JsonValueKind.String || !Encoding.Hex.TryDecode(key.GetString(), out var bytes) || bytes.Length != 32 || !Encoding.Hex.HasPrefix(key.GetString()))
                    {
                        throw new FormatException("A storage key is 0x and 64 hex digits.");
                    }

                    keys.Add(bytes);
                }
            }

            entries.Add(new AccessListEntry(address, keys));
        }

        return entries;
    }
}
