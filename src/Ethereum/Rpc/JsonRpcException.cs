namespace Settlement.Ethereum.Rpc;

/// <summary>
/// A JSON-RPC call failed. The hierarchy is small and closed: <see cref="JsonRpcServerException"/>
/// (the node answered with an error object, possibly a revert), <see cref="JsonRpcTransportException"/>
/// (HTTP, network, timeout or an unreadable answer) and <see cref="ChainIdMismatchException"/>.
/// <see cref="IsTransient"/> says whether the same request may succeed when repeated.
/// </summary>
public abstract class JsonRpcException : Exception
{
    private protected JsonRpcException(string message, string? method, Exception? innerException)
        : base(message, innerException) => Method = method;

    /// <summary>The JSON-RPC method that failed, when known.</summary>
    public string? Method { get; }

    /// <summary>The JSON-RPC error code, when the node returned one.</summary>
    public virtual int? Code => null;

    /// <summary>True when repeating the same request may succeed (connection refused, 5xx, timeout).</summary>
    public abstract bool IsTransient { get; }

    /// <summary>Revert data returned by the node for a failed call or gas estimate, if any.</summary>
    public virtual ReadOnlyMemory<byte>? RevertData => null;

    /// <summary>
    /// The decoded revert reason (the <c>Error(string)</c> message, or <c>Panic(0x…)</c>) when the node
    /// returned revert data in a standard form; custom errors are left in <see cref="RevertData"/>.
    /// </summary>
    public virtual string? RevertReason => null;

    /// <summary>
    /// Decodes <see cref="RevertData"/> with a contract's error ABIs, so custom errors come out with their
    /// name and arguments. Never throws.
    /// </summary>
    public bool TryDecodeRevert(IReadOnlyList<Nethereum.ABI.Model.ErrorABI>? customErrors, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Abi.RevertReason? reason)
    {
        reason = null;
        return RevertData is { } data && Abi.RevertReason.TryDecode(data.Span, customErrors, out reason);
    }
}
