namespace Settlement.Channels.Payer;

/// <summary>
/// Thrown by <see cref="PayerChannel.SignNextAsync"/> when the payer refuses to sign (the same refusal
/// <see cref="PayerChannel.TrySignNextAsync"/> returns as data).
/// </summary>
public sealed class PaymentRefusedException : Exception
{
    /// <summary>Creates the exception for a refusal.</summary>
    public PaymentRefusedException(PaymentRefused refusal)
        : base(Describe(refusal)) => Refusal = refusal;

    /// <summary>Creates the exception.</summary>
    public PaymentRefusedException()
        : this("The payment was refused.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PaymentRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PaymentRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refusal, when thrown for one.</summary>
    public PaymentRefused? Refusal { get; }

    private static string Describe(PaymentRefused refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return $"Payment of {refusal.Requested} refused ({refusal.Reason}): signed {refusal.Signed} of deposit {refusal.Deposit}.";
    }
}
