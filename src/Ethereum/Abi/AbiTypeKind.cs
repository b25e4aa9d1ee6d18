namespace Settlement.Ethereum.Abi;

/// <summary>The kinds of Solidity ABI types (Solidity ABI specification, "Types").</summary>
public enum AbiTypeKind
{
    /// <summary><c>uintN</c>, 8 ≤ N ≤ 256, N a multiple of 8.</summary>
    UInt,

    /// <summary><c>intN</c>, two's complement.</summary>
    Int,

    /// <summary><c>address</c> (20 bytes).</summary>
    Address,

    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary><c>bytesN</c>, 1 ≤ N ≤ 32.</summary>
    FixedBytes,

    /// <summary>Dynamic <c>bytes</c>.</summary>
    Bytes,

    /// <summary>Dynamic UTF-8 <c>string</c>.</summary>
    String,

    /// <summary>Dynamic array <c>T[]</c>.</summary>
    Array,

    /// <summary>Fixed-size array <c>T[k]</c>.</summary>
    FixedArray,

    /// <summary>Tuple <c>(T1,…,Tn)</c> (a Solidity struct).</summary>
    Tuple,
}
