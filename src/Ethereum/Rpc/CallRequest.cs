using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rpc;

/// <summary>The transaction-like object of <c>eth_call</c> and <c>eth_estimateGas</c>.</summary>
public sealed record CallRequest
{
    /// <summary>The sender (matters for msg.sender and balance checks).</summary>
    public Address? From { get; init; }

    /// <summary>The callee; null for a contract creation.</summary>
    public Address? To { get; init; }

    /// <summary>Call data (or init code for a creation).</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>Wei sent with the call.</summary>
    public BigInteger? Value { get; init; }

    /// <summary>Gas limit for the call, if any.</summary>
    public ulong? Gas { get; init; }
}
