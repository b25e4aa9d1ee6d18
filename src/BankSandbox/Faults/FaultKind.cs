namespace Settlement.BankSandbox.Faults;

/// <summary>The faults the sandbox can inject.</summary>
public enum FaultKind
{
    /// <summary>500 with OBErrorResponse1 (UK.OBIE.UnexpectedError / U000); nothing is done.</summary>
    ServerError,

    /// <summary>429 with <c>Retry-After</c>; nothing is done.</summary>
    TooManyRequests,

    /// <summary>The request is delayed on the sandbox clock, then runs normally.</summary>
    Latency,

    /// <summary>The request runs and commits, then the connection is aborted instead of answering.</summary>
    DropResponseAfterCommit,

    /// <summary>
    /// A PIS POST is fully validated and its response rendered, then an unhandled exception is thrown before anything is
    /// stored: 500 UK.OBIE.UnexpectedError / U000, no consent or payment, the x-idempotency-key not spent.
    /// </summary>
    FailBeforeCommit,

    /// <summary>A notification is delivered twice.</summary>
    DuplicateNotification,

    /// <summary>A notification is held back and delivered after the following one.</summary>
    OutOfOrderNotification,
}
