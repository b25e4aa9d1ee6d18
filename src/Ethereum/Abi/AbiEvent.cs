using System.Diagnostics.CodeAnalysis;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// A contract event: topic 0, topic encoding and log decoding (Solidity ABI specification, "Events").
/// Indexed parameters of static elementary types are topic words; indexed strings, bytes, arrays and
/// tuples are stored as the keccak256 hash of their (in-place) encoding, so decoding returns that
/// 32-byte hash as <c>byte[]</c> for them.
/// </summary>
public sealed class AbiEvent
{
    private readonly byte[] _topic0;
    private readonly AbiType[] _dataTypes;

    internal AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous)
    {
        Name = name;
        Inputs = inputs;
        Anonymous = anonymous;
        Signature = AbiSignatures.Canonical(name, inputs);
        _topic0 = Keccak256.HashUtf8(Signature);
        _dataTypes = inputs.Where(p => !p.Indexed).Select(p => p.Type).ToArray();
        var indexed = inputs.Count(p => p.Indexed);
        if (indexed > (anonymous ? 4 : 3))
        {
            throw new FormatException($"Event {Signature} has {indexed} indexed parameters; at most {(anonymous ? 4 : 3)} fit in topics.");
        }
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The parameters (with <see cref="AbiParameter.Indexed"/>).</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>Anonymous events have no topic 0.</summary>
    public bool Anonymous { get; }

    /// <summary>The canonical signature, e.g. <c>Transfer(address,address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>keccak256(signature): the first topic of a non-anonymous event's logs.</summary>
    public ReadOnlySpan<byte> Topic0 => _topic0;

    /// <summary>Topic 0 as 0x-hex.</summary>
    public string Topic0Hex => Hex.Encode(_topic0);

    /// <summary>Parses <c>event Transfer(address indexed from, address indexed to, uint256 value)</c>.</summary>
    /// <param name="signature">Human-readable signature.</param>
    /// <exception cref="FormatException">Not a valid event signature.</exception>
    public static AbiEvent Parse(string signature)
    {
        var fragment = AbiSignatureParser.ParseFragment(signature);
        if (fragment.Kind != "event")
        {
            throw new FormatException($"Expected an event, got {fragment.Kind}: \"{signature}\".");
        }

        return new AbiEvent(fragment.Name, fragment.Inputs, fragment.Anonymous);
    }

    /// <summary>The topic for an indexed value: the word for static elementary types, otherwise a hash.</summary>
    /// <param name="type">The parameter type.</param>
    /// <param name="value">The value.</param>
    public static byte[] EncodeTopic(AbiType type, object? value)
    {
        ArgumentNullException.ThrowIfNull(type);
        switch (type.Kind)
        {
            case AbiTypeKind.String:
                return Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(value as string ?? throw new ArgumentException("Expected a string.", nameof(value))));
            case AbiTypeKind.Bytes:
                return Keccak256.Hash(value switch
                {
                    byte[] b => b,
                    ReadOnlyMemory<byte> m => m.Span,
                    _ => throw new ArgumentException("Expected bytes.", nameof(value)),
                });
            case AbiTypeKind.Array:
            case AbiTypeKind.FixedArray:
            case AbiTypeKind.Tuple:
            {
                var buffer = new List<byte>();
                AbiEncoder.WriteInPlace(type, value, buffer);
                return Keccak256.Hash(buffer.ToArray());
            }

            default:
            {
                var word = new byte[32];
                AbiEncoder.WriteElementary(type, value, word);
                return word;
            }
        }
    }

    /// <summary>Encodes a log of this event: its topics and data.</summary>
    /// <param name="values">One value per parameter, in declaration order.</param>
    public (IReadOnlyList<byte[]> Topics, byte[] Data) EncodeLog(params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Inputs.Count)
        {
            throw new ArgumentException($"Expected {Inputs.Count} values, got {values.Length}.", nameof(values));
        }

        var topics = new List<byte[]>();
        if (!Anonymous)
        {
            topics.Add(_topic0.ToArray());
        }

        var data = new List<object?>();
        for (var i = 0; i < values.Length; i++)
        {
            if (Inputs[i].Indexed)
            {
                topics.Add(EncodeTopic(Inputs[i].Type, values[i]));
            }
            else
            {
                data.Add(values[i]);
            }
        }

        return (topics, AbiEncoder.Encode(_dataTypes, data));
    }

    /// <summary>Decodes a log into parameter name → value (unnamed parameters are keyed by their index).</summary>
    /// <param name="topics">The log's topics (32 bytes each).</param>
    /// <param name="data">The log's data.</param>
    /// <exception cref="FormatException">The log is not an instance of this event.</exception>
    public IReadOnlyDictionary<string, object?> Decode(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        if (!TryDecodeValues(topics, data, out var values, out var error))
        {
            throw new FormatException(error);
        }

        var result = new Dictionary<string, object?>(values.Length, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            var name = Inputs[i].Name.Length > 0 ? Inputs[i].Name : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            result[name] = values[i];
        }

        return result;
    }

    /// <summary>Decodes a log into values in declaration order; never throws on bad logs.</summary>
    /// <param name="topics">The log's topics.</param>
    /// <param name="data">The log's data.</param>
    /// <param name="values">The values on success.</param>
    public bool TryDecodeValues(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data, [NotNullWhen(true)] out object?[]? values) =>
        TryDecodeValues(topics, data, out values, out _);

    private bool TryDecodeValues(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data, [NotNullWhen(true)] out object?[]? values, out string error)
    {
        ArgumentNullException.ThrowIfNull(topics);
        values = null;
        var topicIndex = 0;
        if (!Anonymous)
        {
            if (topics.Count == 0 || topics[0] is null || !topics[0].AsSpan().SequenceEqual(_topic0))
            {
                error = $"The log's topic 0 is not that of {Signature}.";
                return false;
            }

            topicIndex = 1;
        }

        var indexedCount = Inputs.Count(p => p.Indexed);
        if (topics.Count != topicIndex + indexedCount)
        {
            error = $"{Signature} has {indexedCount} indexed parameters; the log has {topics.Count - topicIndex} topics after topic 0.";
            return false;
        }

        if (!AbiDecoder.TryDecode(_dataTypes, data, out var dataValues, out error))
        {
            return false;
        }

        var result = new object?[Inputs.Count];
        var dataIndex = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var p = Inputs[i];
            if (!p.Indexed)
            {
                result[i] = dataValues[dataIndex++];
                continue;
            }

            var topic = topics[topicIndex++];
            if (topic is null || topic.Length != 32)
            {
                error = "A topic is not 32 bytes.";
                return false;
            }

            if (p.Type.IsDynamic || p.Type.Kind is AbiTypeKind.Tuple or AbiTypeKind.FixedArray)
            {
                result[i] = topic.ToArray();
            }
            else if (!AbiDecoder.TryDecodeWord(p.Type, topic, out result[i], out error))
            {
                return false;
            }
        }

        values = result;
        error = string.Empty;
        return true;
    }

    /// <summary>The human-readable form.</summary>
    public override string ToString() => $"event {Name}({string.Join(", ", Inputs)})" + (Anonymous ? " anonymous" : string.Empty);
}
