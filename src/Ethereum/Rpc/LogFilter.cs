using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rpc;

/// <summary>The filter of <c>eth_getLogs</c>.</summary>
public sealed record LogFilter
{
    /// <summary>First block (inclusive); default latest.</summary>
    public BlockParameter? FromBlock { get; init; }

    /// <summary>Last block (inclusive); default latest.</summary>
    public BlockParameter? ToBlock { get; init; }

    /// <summary>Emitting contracts; empty for any.</summary>
    public IReadOnlyList<Address> Addresses { get; init; } = [];

    /// <summary>
    /// Topic positions: each entry null (any) or a list of alternatives (any of them matches).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<byte[]>?> Topics { get; init; } = [];
}
