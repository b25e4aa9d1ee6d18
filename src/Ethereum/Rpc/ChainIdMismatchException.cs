namespace Settlement.Ethereum.Rpc;

/// <summary>
/// The node serves a different chain than configured. Nothing may be signed or sent: a transaction
/// signed for one chain must never reach another.
/// </summary>
public sealed class ChainIdMismatchException : JsonRpcException
{
    internal ChainIdMismatchException(ulong expected, ulong actual, Uri? endpoint)
        : base($"The node at {endpoint?.GetLeftPart(UriPartial.Authority) ?? "the Nethereum client"} serves chain id {actual}, but chain id {expected} is configured (Ethereum:Rpc:ChainId).", "eth_chainId", innerException: null)
    {
        ExpectedChainId = expected;
        ActualChainId = actual;
    }

    /// <summary>The configured chain id.</summary>
    public ulong ExpectedChainId { get; }

    /// <summary>The chain id the node reported.</summary>
    public ulong ActualChainId { get; }

    /// <inheritdoc />
    public override bool IsTransient => false;
}
