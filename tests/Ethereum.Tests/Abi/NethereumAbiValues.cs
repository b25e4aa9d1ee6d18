using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Nethereum.ABI;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;

namespace Settlement.Ethereum.Tests.Abi;

/// <summary>
/// Converts ethers vector JSON into the values Nethereum's ABI encoder takes (tuples as object[], arrays as
/// List&lt;object&gt;, addresses as strings) and renders typed values canonically, so Nethereum's output can be
/// compared with the ethers values.
/// </summary>
internal static class NethereumAbiValues
{
    /// <summary>
    /// Nethereum parameters for a human-readable list such as <c>(uint8,bytes)[2] a, address indexed b</c>, built
    /// through the JSON ABI form (Nethereum's own human-readable parser does not take every nested tuple).
    /// </summary>
    public static Parameter[] Parameters(string list)
    {
        var json = "[" + string.Join(",", SplitTopLevel(list).Select(ParameterJson)) + "]";
        var abi = new ABIJsonDeserialiser().DeserialiseContract($$"""[{"type":"event","name":"E","anonymous":false,"inputs":{{json}}}]""");
        return abi.Events[0].InputParameters;
    }

    /// <summary>A function from <c>function name(params) [view] [returns (params)]</c>.</summary>
    public static FunctionABI Function(string signature)
    {
        var (name, inputs, rest) = SplitSignature(signature, "function ");
        var returns = rest.IndexOf('(', StringComparison.Ordinal);
        return new FunctionABI(name, constant: false)
        {
            InputParameters = Parameters(inputs),
            OutputParameters = returns < 0 ? [] : Parameters(rest[(returns + 1)..MatchingParen(rest[returns..], returns)]),
        };
    }

    /// <summary>An event from <c>event Name(type [indexed] name, …)</c>.</summary>
    public static EventABI Event(string signature)
    {
        var (name, inputs, _) = SplitSignature(signature, "event ");
        return new EventABI(name) { InputParameters = Parameters(inputs) };
    }

    private static (string Name, string Parameters, string Tail) SplitSignature(string signature, string keyword)
    {
        var text = signature.Trim()[keyword.Length..];
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = MatchingParen(text[open..], open);
        return (text[..open].Trim(), text[(open + 1)..close], text[(close + 1)..]);
    }

    private static int MatchingParen(string text, int offset) => MatchingParen(text) + offset;

    private static string ParameterJson(string text, int index)
    {
        var t = text.Trim();
        var typeEnd = t.StartsWith('(') ? MatchingParen(t) + 1 : 0;
        while (typeEnd < t.Length && t[typeEnd] != ' ')
        {
            typeEnd++;
        }

        var type = t[..typeEnd];
        var rest = t[typeEnd..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var indexed = rest.Remove("indexed");
        var name = rest.Count > 0 ? rest[0] : $"p{index}";
        return TypeJson(type, name, indexed);
    }

    private static string TypeJson(string type, string name, bool indexed)
    {
        var head = $"\"name\":{JsonSerializer.Serialize(name)},\"indexed\":{(indexed ? "true" : "false")}";
        if (!type.StartsWith('('))
        {
            return $"{{{head},\"type\":\"{type}\"}}";
        }

        var close = MatchingParen(type);
        var components = SplitTopLevel(type[1..close]).Select((c, i) => TypeJson(c.Trim(), $"c{i}", false));
        return $"{{{head},\"type\":\"tuple{type[(close + 1)..]}\",\"components\":[{string.Join(",", components)}]}}";
    }

    private static int MatchingParen(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }

        throw new FormatException($"Unbalanced parentheses in {text}");
    }

    private static List<string> SplitTopLevel(string list)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            depth += list[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (list[i] == ',' && depth == 0)
            {
                parts.Add(list[start..i]);
                start = i + 1;
            }
        }

        if (list.Length > start && list[start..].Trim().Length > 0)
        {
            parts.Add(list[start..]);
        }

        return parts;
    }

    public static object? FromJson(ABIType type, JsonElement json) => type switch
    {
        TupleType tuple => json.EnumerateArray().Select((e, i) => FromJson(tuple.Components[i].ABIType, e)).ToArray(),
        ArrayType array => json.EnumerateArray().Select(e => FromJson(array.ElementType, e)).ToList(),
        _ when type.Name is "address" => json.GetString(),
        _ when type.Name is "bool" => json.GetBoolean(),
        _ when type.Name is "string" => json.GetString(),
        _ when type.Name.StartsWith("bytes", StringComparison.Ordinal) => json.GetString()!.HexToByteArray(),
        _ => BigInteger.Parse(json.GetString()!, CultureInfo.InvariantCulture),
    };

    public static object?[] FromJson(IReadOnlyList<Parameter> parameters, JsonElement json) =>
        json.EnumerateArray().Select((e, i) => FromJson(parameters[i].ABIType, e)).ToArray();

    /// <summary>Canonical text of a value of <paramref name="type"/>, as given or as Nethereum decoded it.</summary>
    public static string Canon(ABIType type, object? value)
    {
        var sb = new StringBuilder();
        Write(sb, type, value);
        return sb.ToString();
    }

    public static string Canon(IReadOnlyList<Parameter> parameters, IReadOnlyList<object?> values) =>
        "[" + string.Join(",", parameters.Select((p, i) => Canon(p.ABIType, values[i]))) + "]";

    /// <summary>Nethereum's decoded outputs in parameter order.</summary>
    public static object?[] Results(List<ParameterOutput> outputs) =>
        outputs.OrderBy(o => o.Parameter.Order).Select(o => o.Result).ToArray();

    private static void Write(StringBuilder sb, ABIType type, object? value)
    {
        switch (type)
        {
            case TupleType tuple:
                var parts = value switch
                {
                    List<ParameterOutput> outputs => Results(outputs),
                    object?[] items => items,
                    _ => throw new InvalidOperationException($"Unexpected tuple value {value?.GetType()}"),
                };
                sb.Append('(');
                for (var i = 0; i < tuple.Components.Length; i++)
                {
                    sb.Append(i > 0 ? "," : string.Empty);
                    Write(sb, tuple.Components[i].ABIType, parts[i]);
                }

                sb.Append(')');
                return;
            case ArrayType array:
                sb.Append('[');
                var first = true;
                foreach (var item in (IEnumerable)value!)
                {
                    sb.Append(first ? string.Empty : ",");
                    first = false;
                    Write(sb, array.ElementType, item);
                }

                sb.Append(']');
                return;
        }

        sb.Append(value switch
        {
            string s when type.Name == "address" => s.ToLowerInvariant(),
            string s => JsonSerializer.Serialize(s),
            bool b => b ? "true" : "false",
            byte[] bytes => bytes.ToHex(prefix: true),
            BigInteger b => b.ToString(CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            null => "null",
            _ => throw new InvalidOperationException($"Unexpected value {value.GetType()}"),
        });
    }
}
