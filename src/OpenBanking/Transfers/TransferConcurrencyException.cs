namespace Settlement.OpenBanking.Transfers;

/// <summary>The transfer changed underneath (another process or a notification); reload and try again.</summary>
public sealed class TransferConcurrencyException : Exception
{
    internal TransferConcurrencyException(Guid id)
        : base($"Transfer {id:N} was changed concurrently; nothing was written.")
    {
        OperationId = id;
    }

    /// <summary>The transfer id.</summary>
    public Guid OperationId { get; }
}
