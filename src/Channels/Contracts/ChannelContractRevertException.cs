using Settlement.Ethereum.Abi;

namespace Settlement.Channels.Contracts;

/// <summary>
/// The channel contract refused a call: <see cref="ErrorName"/> is its custom error (e.g. <c>VoucherNotNewer</c>,
/// <c>InvalidSigner</c>, <c>ECDSAInvalidSignatureS</c>) as listed in docs/protocol.md, or "unknown".
/// </summary>
public sealed class ChannelContractRevertException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelContractRevertException(string function, RevertReason? reason, Exception? inner)
        : base($"{function} reverted: {reason?.ToString() ?? "no reason given"}", inner)
    {
        Function = function;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public ChannelContractRevertException()
        : this("call", null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChannelContractRevertException(string message)
        : base(message)
    {
        Function = "call";
    }

    /// <summary>Creates the exception.</summary>
    public ChannelContractRevertException(string message, Exception innerException)
        : base(message, innerException)
    {
        Function = "call";
    }

    /// <summary>The contract function that reverted.</summary>
    public string Function { get; } = "call";

    /// <summary>The decoded revert reason, if the node returned revert data.</summary>
    public RevertReason? Reason { get; }

    /// <summary>The custom error's name, <c>Error</c>/<c>Panic</c> for the built-in ones, or "unknown".</summary>
    public string ErrorName => Reason?.Name ?? "unknown";
}
