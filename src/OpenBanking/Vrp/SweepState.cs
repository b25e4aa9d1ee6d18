namespace Settlement.OpenBanking.Vrp;

/// <summary>Where a sweep stands. Only moves forward; Completed, Rejected and Refused are final.</summary>
public enum SweepState
{
    /// <summary>Saved before sending; the bank may or may not have it (a resend with the same key settles that).</summary>
    Pending,

    /// <summary>The bank created the payment; its status is polled (or pushed) to a final one.</summary>
    Submitted,

    /// <summary>Settled (ACSC / ACCC): the money arrived in the platform account.</summary>
    Completed,

    /// <summary>The bank rejected the payment after creating it (e.g. insufficient funds, AM04): nothing was paid.</summary>
    Rejected,

    /// <summary>Refused before any payment existed (a limit, the consent's state), locally or by the bank: nothing was paid.</summary>
    Refused,
}
