using Nethereum.RLP;
using Settlement.Ethereum.Encoding;
using NethereumRlp = Nethereum.RLP.RLP;

namespace Settlement.Ethereum.Tests.Rlp;

/// <summary>
/// A test-side RLP tree (byte string or list) with structural equality, encoded and decoded with
/// Nethereum.RLP exactly as the transaction code uses it.
/// </summary>
internal sealed class RlpNode : IEquatable<RlpNode>
{
    private RlpNode(byte[]? bytes, RlpNode[]? items)
    {
        Bytes = bytes;
        Items = items;
    }

    public byte[]? Bytes { get; }

    public RlpNode[]? Items { get; }

    public static RlpNode String(byte[] bytes) => new(bytes, null);

    public static RlpNode String(string hex) => new(Hex.Decode(hex), null);

    public static RlpNode List(params IEnumerable<RlpNode> items) => new(null, [.. items]);

    /// <summary>Nethereum's encoding: <c>RLP.EncodeElement</c> for strings, <c>RLP.EncodeList</c> for lists.</summary>
    public byte[] Encode() => Items is { } items
        ? NethereumRlp.EncodeList([.. items.Select(i => i.Encode())])
        : NethereumRlp.EncodeElement(Bytes);

    /// <summary>Nethereum's decoding of one item.</summary>
    public static RlpNode Decode(byte[] encoded) => From(NethereumRlp.Decode(encoded));

    public bool Equals(RlpNode? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as RlpNode);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Items is { } items ? "[" + string.Join(", ", items.Select(i => i.ToString())) + "]" : Hex.Encode(Bytes);

    private static RlpNode From(IRLPElement element) => element is RLPCollection list
        ? List(list.Select(From))
        : String(element.RLPData ?? []);
}
