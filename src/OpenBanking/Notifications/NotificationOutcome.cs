namespace Settlement.OpenBanking.Notifications;

/// <summary>What the receiver did with one delivery.</summary>
public enum NotificationOutcome
{
    /// <summary>Verified and applied (or confirmed the current state).</summary>
    Processed,

    /// <summary>Verified, but its jti was seen before: a duplicate delivery, nothing done.</summary>
    Duplicate,

    /// <summary>Signature or claims wrong: refused, nothing done.</summary>
    Rejected,

    /// <summary>Verified, but processing failed transiently: the bank should deliver it again.</summary>
    RetryLater,
}
