namespace Settlement.Service.Flows.Chain;

/// <summary>
/// A step key is already bound to a different transaction (another recipient, call data or value): a programming error
/// in the caller's key scheme, or two processes racing on one step. Nothing was sent.
/// </summary>
public sealed class ChainStepConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChainStepConflictException(string stepKey, string detail)
        : base($"Chain step '{stepKey}' is already bound to another transaction: {detail}. Nothing was sent.")
    {
        StepKey = stepKey;
    }

    /// <summary>Creates the exception.</summary>
    public ChainStepConflictException()
    {
        StepKey = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ChainStepConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
        StepKey = string.Empty;
    }

    /// <summary>The step key.</summary>
    public string StepKey { get; }
}
