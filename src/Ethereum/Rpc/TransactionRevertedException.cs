using System.Diagnostics.CodeAnalysis;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// A transaction reverted: either its gas estimate reverted (nothing was sent, <see cref="Receipt"/> is
/// null) or it was mined with status 0 (<see cref="Receipt"/> set). Carries the revert data and its
/// standard decoding when the node provided it.
/// </summary>
public sealed class TransactionRevertedException : Exception
{
    internal TransactionRevertedException(string message, TransactionReceipt? receipt, byte[]? revertData, string? reason, Exception? innerException = null)
        : base(reason is null ? message : $"{message} (revert reason: {reason})", innerException)
    {
        Receipt = receipt;
        RevertBytes = revertData;
        Reason = reason;
    }

    /// <summary>The status-0 receipt, or null when the transaction was not sent.</summary>
    public TransactionReceipt? Receipt { get; }

    /// <summary>The revert data, when known; null when the node gave none.</summary>
    public ReadOnlyMemory<byte>? RevertData => RevertBytes is { } bytes ? new ReadOnlyMemory<byte>(bytes) : (ReadOnlyMemory<byte>?)null;

    /// <summary>The Error(string) message or Panic description, when the data has that form.</summary>
    public string? Reason { get; }

    private byte[]? RevertBytes { get; }

    /// <summary>Decodes <see cref="RevertData"/> with a contract ABI (custom errors). Never throws.</summary>
    public bool TryDecodeRevert(IReadOnlyList<Nethereum.ABI.Model.ErrorABI>? customErrors, [NotNullWhen(true)] out Abi.RevertReason? reason)
    {
        reason = null;
        return RevertBytes is not null && Abi.RevertReason.TryDecode(RevertBytes, customErrors, out reason);
    }
}
