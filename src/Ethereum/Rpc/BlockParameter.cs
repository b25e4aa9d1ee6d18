
namespace Settlement.Ethereum.Rpc;

/// <summary>The default block parameter of JSON-RPC calls: a tag (<c>latest</c>, <c>pending</c>, …) or a number.</summary>
public readonly record struct BlockParameter
{
    private BlockParameter(string value) => Value = value;

    /// <summary>The JSON value: a tag or a quantity.</summary>
    public string Value { get; }

    /// <summary>The most recent mined block.</summary>
    public static BlockParameter Latest { get; } = new("latest");

    /// <summary>The pending state (includes the node's pending transactions).</summary>
    public static BlockParameter Pending { get; } = new("pending");

    /// <summary>The genesis block.</summary>
    public static BlockParameter Earliest { get; } = new("earliest");

    /// <summary>The latest safe head.</summary>
    public static BlockParameter Safe { get; } = new("safe");

    /// <summary>The latest finalized block.</summary>
    public static BlockParameter Finalized { get; } = new("finalized");

    /// <summary>A block by number.</summary>
    public static BlockParameter FromNumber(ulong number) => new(Quantity.Format(number));

    /// <summary>A block by number.</summary>
    public static implicit operator BlockParameter(ulong number) => FromNumber(number);

    /// <inheritdoc />
    public override string ToString() => Value ?? "latest";

    internal string ToJson() => Value ?? "latest";

}
