namespace Settlement.OpenBanking.Errors;

/// <summary>
/// No usable answer: connection failure, connection dropped, or timeout. When the request had been
/// sent, the outcome is ambiguous (<see cref="MayHaveBeenProcessed"/>): the caller must look the
/// resource up (same idempotency key, or GET by id) before it could send anything new.
/// </summary>
public sealed class BankTransportException : BankApiException
{
    internal BankTransportException(string bank, string message, bool requestSent, string? interactionId, Exception? inner)
        : base(bank, message, interactionId, null, null, inner)
    {
        RequestSent = requestSent;
    }

    /// <summary>True when the request left this process before the failure.</summary>
    public bool RequestSent { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;

    /// <inheritdoc />
    public override bool MayHaveBeenProcessed => RequestSent;
}
