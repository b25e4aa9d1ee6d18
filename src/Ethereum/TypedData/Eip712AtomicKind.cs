namespace Settlement.Ethereum.TypedData;

/// <summary>The kinds of EIP-712 atomic and dynamic member types.</summary>
internal enum Eip712AtomicKind
{
    /// <summary><c>uintN</c>.</summary>
    UInt,

    /// <summary><c>intN</c>.</summary>
    Int,

    /// <summary><c>bytesN</c> (1 to 32).</summary>
    FixedBytes,

    /// <summary><c>address</c>.</summary>
    Address,

    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary><c>bytes</c> (dynamic).</summary>
    Bytes,

    /// <summary><c>string</c> (dynamic).</summary>
    String,
}
