using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Settlement.Ethereum.Abi;

/// <summary>A contract's JSON ABI (the <c>abi</c> array of a solc artifact): functions, events and errors.</summary>
public sealed class ContractAbi
{
    private ContractAbi(IReadOnlyList<AbiFunction> functions, IReadOnlyList<AbiEvent> events, IReadOnlyList<AbiError> errors)
    {
        Functions = functions;
        Events = events;
        Errors = errors;
    }

    /// <summary>All functions (overloads included).</summary>
    public IReadOnlyList<AbiFunction> Functions { get; }

    /// <summary>All events.</summary>
    public IReadOnlyList<AbiEvent> Events { get; }

    /// <summary>All custom errors.</summary>
    public IReadOnlyList<AbiError> Errors { get; }

    /// <summary>Reads a JSON ABI: an array of entries, or an artifact object with an <c>abi</c> property.</summary>
    /// <param name="abiJson">The JSON text.</param>
    /// <exception cref="FormatException">The JSON is not a valid ABI.</exception>
    public static ContractAbi FromJson(string abiJson)
    {
        ArgumentNullException.ThrowIfNull(abiJson);
        try
        {
            using var document = JsonDocument.Parse(abiJson);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("abi", out var abi))
            {
                root = abi;
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("A JSON ABI is an array of entries.");
            }

            var functions = new List<AbiFunction>();
            var events = new List<AbiEvent>();
            var errors = new List<AbiError>();
            foreach (var entry in root.EnumerateArray())
            {
                var type = entry.TryGetProperty("type", out var t) ? t.GetString() : "function";
                switch (type)
                {
                    case "function":
                        functions.Add(new AbiFunction(
                            RequiredString(entry, "name"),
                            ReadParameters(entry, "inputs", 0),
                            ReadParameters(entry, "outputs", 0),
                            ReadMutability(entry)));
                        break;
                    case "event":
                        events.Add(new AbiEvent(
                            RequiredString(entry, "name"),
                            ReadParameters(entry, "inputs", 0),
                            entry.TryGetProperty("anonymous", out var anon) && anon.ValueKind == JsonValueKind.True));
                        break;
                    case "error":
                        errors.Add(new AbiError(RequiredString(entry, "name"), ReadParameters(entry, "inputs", 0)));
                        break;
                    case "constructor" or "fallback" or "receive":
                        break;
                    default:
                        throw new FormatException($"Unknown ABI entry type '{type}'.");
                }
            }

            return new ContractAbi(functions, events, errors);
        }
        catch (JsonException e)
        {
            throw new FormatException("The ABI is not valid JSON: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException("The ABI has a value of the wrong JSON kind: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new FormatException("The ABI is not valid text: " + e.Message, e);
        }
    }

    /// <summary>The function with this name (or full signature such as <c>transfer(address,uint256)</c>).</summary>
    /// <param name="nameOrSignature">Name, or signature to pick an overload.</param>
    /// <exception cref="KeyNotFoundException">No such function.</exception>
    /// <exception cref="InvalidOperationException">The name is overloaded; pass the signature.</exception>
    public AbiFunction Function(string nameOrSignature) =>
        Single(Functions, nameOrSignature, f => f.Name, f => f.Signature, "function");

    /// <summary>The event with this name or signature.</summary>
    /// <param name="nameOrSignature">Name or signature.</param>
    public AbiEvent Event(string nameOrSignature) =>
        Single(Events, nameOrSignature, e => e.Name, e => e.Signature, "event");

    /// <summary>The custom error with this name or signature.</summary>
    /// <param name="nameOrSignature">Name or signature.</param>
    public AbiError Error(string nameOrSignature) =>
        Single(Errors, nameOrSignature, e => e.Name, e => e.Signature, "error");

    /// <summary>The custom error whose selector starts the revert data.</summary>
    /// <param name="revertData">Revert data.</param>
    /// <param name="error">The matching error.</param>
    public bool TryFindError(ReadOnlySpan<byte> revertData, [NotNullWhen(true)] out AbiError? error)
    {
        foreach (var candidate in Errors)
        {
            if (candidate.Matches(revertData))
            {
                error = candidate;
                return true;
            }
        }

        error = null;
        return false;
    }

    /// <summary>The (non-anonymous) event whose topic 0 this is.</summary>
    /// <param name="topic0">Topic 0 of a log.</param>
    /// <param name="abiEvent">The matching event.</param>
    public bool TryFindEvent(ReadOnlySpan<byte> topic0, [NotNullWhen(true)] out AbiEvent? abiEvent)
    {
        foreach (var candidate in Events)
        {
            if (!candidate.Anonymous && candidate.Topic0.SequenceEqual(topic0))
            {
                abiEvent = candidate;
                return true;
            }
        }

        abiEvent = null;
        return false;
    }

    private static T Single<T>(IReadOnlyList<T> items, string key, Func<T, string> name, Func<T, string> signature, string what)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bySignature = items.Where(i => signature(i) == key).ToList();
        if (bySignature.Count == 1)
        {
            return bySignature[0];
        }

        var byName = items.Where(i => name(i) == key).ToList();
        return byName.Count switch
        {
            1 => byName[0],
            0 => throw new KeyNotFoundException($"The ABI has no {what} '{key}'."),
            _ => throw new InvalidOperationException(
                $"The {what} '{key}' is overloaded ({string.Join(", ", byName.Select(signature))}); pass the signature."),
        };
    }

    private static string RequiredString(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"An ABI entry lacks '{property}'.");

    private static string ReadMutability(JsonElement entry)
    {
        if (entry.TryGetProperty("stateMutability", out var m) && m.ValueKind == JsonValueKind.String)
        {
            return m.GetString()!;
        }

        return entry.TryGetProperty("constant", out var c) && c.ValueKind == JsonValueKind.True ? "view" : "nonpayable";
    }

    private static AbiParameter[] ReadParameters(JsonElement entry, string property, int depth)
    {
        if (!entry.TryGetProperty(property, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"ABI '{property}' is not an array.");
        }

        if (depth > 32)
        {
            throw new FormatException("ABI tuples nested too deeply.");
        }

        return list.EnumerateArray().Select(p => ReadParameter(p, depth)).ToArray();
    }

    private static AbiParameter ReadParameter(JsonElement p, int depth)
    {
        var name = p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : string.Empty;
        var typeText = RequiredString(p, "type");
        var indexed = p.TryGetProperty("indexed", out var ix) && ix.ValueKind == JsonValueKind.True;
        AbiType type;
        if (typeText.StartsWith("tuple", StringComparison.Ordinal))
        {
            var tuple = AbiType.Tuple(ReadParameters(p, "components", depth + 1));
            type = AbiType.Parse(tuple.CanonicalName + typeText["tuple".Length..]);

            // Re-attach component names lost by going through the canonical name.
            type = Rebuild(type, tuple);
        }
        else
        {
            type = AbiType.Parse(typeText);
        }

        return new AbiParameter(name, type, indexed);
    }

    private static AbiType Rebuild(AbiType type, AbiType namedTuple) => type.Kind switch
    {
        AbiTypeKind.Tuple => namedTuple,
        AbiTypeKind.Array => AbiType.ArrayOf(Rebuild(type.ElementType!, namedTuple)),
        AbiTypeKind.FixedArray => AbiType.FixedArrayOf(Rebuild(type.ElementType!, namedTuple), type.Size),
        _ => type,
    };
}
