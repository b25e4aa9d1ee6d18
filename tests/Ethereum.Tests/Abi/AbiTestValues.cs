using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Tests.Abi;

/// <summary>Converts vector JSON to ABI values and renders values canonically for comparison.</summary>
internal static class AbiTestValues
{
    public static object? FromJson(AbiType type, JsonElement json) => type.Kind switch
    {
        AbiTypeKind.UInt or AbiTypeKind.Int => BigInteger.Parse(json.GetString()!, CultureInfo.InvariantCulture),
        AbiTypeKind.Address => Address.Parse(json.GetString()!),
        AbiTypeKind.Bool => json.GetBoolean(),
        AbiTypeKind.FixedBytes or AbiTypeKind.Bytes => Hex.Decode(json.GetString()!),
        AbiTypeKind.String => json.GetString(),
        AbiTypeKind.Array or AbiTypeKind.FixedArray => json.EnumerateArray().Select(e => FromJson(type.ElementType!, e)).ToArray(),
        _ => json.EnumerateArray().Select((e, i) => FromJson(type.Components[i].Type, e)).ToArray(),
    };

    public static object?[] FromJson(IReadOnlyList<AbiType> types, JsonElement json) =>
        json.EnumerateArray().Select((e, i) => FromJson(types[i], e)).ToArray();

    public static string Canon(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case BigInteger b: sb.Append(b.ToString(CultureInfo.InvariantCulture)); break;
            case Address a: sb.Append(a.ToLowerHex()); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case byte[] bytes: sb.Append(Hex.Encode(bytes)); break;
            case string s: sb.Append(JsonSerializer.Serialize(s)); break;
            case object?[] items:
                sb.Append('[');
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, items[i]);
                }

                sb.Append(']');
                break;
            default: throw new InvalidOperationException("Unexpected value type " + value.GetType());
        }
    }
}
