namespace Settlement.Ethereum.Rpc;

/// <summary>
/// A sent transaction was not mined within the allowed time. It may still be mined later: the caller
/// decides whether to keep waiting or replace it; nothing is re-sent automatically.
/// </summary>
public sealed class TransactionReceiptTimeoutException : TimeoutException
{
    internal TransactionReceiptTimeoutException(byte[] transactionHash, TimeSpan timeout)
        : base($"Transaction {Encoding.Hex.Encode(transactionHash)} was not mined within {timeout.TotalSeconds:0.###} s.")
    {
        TransactionHash = transactionHash;
        Timeout = timeout;
    }

    /// <summary>The hash of the transaction waited for.</summary>
    public IReadOnlyList<byte> TransactionHash { get; }

    /// <summary>The time waited.</summary>
    public TimeSpan Timeout { get; }
}
