namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// Where a transfer stands. Forward only: Created → AwaitingAuthorisation → SubmittingPayment →
/// PaymentSubmitted → Completed, or Rejected / Failed / Expired. Completed, Rejected, Failed and Expired are final.
/// </summary>
public enum TransferState
{
    /// <summary>Persisted; the consent has not been confirmed by the bank yet.</summary>
    Created,

    /// <summary>Consent created; waiting for the customer (or headless authoriser) to approve it.</summary>
    AwaitingAuthorisation,

    /// <summary>
    /// Consent authorised and the payment POST is (or may have been) on its way. Persisted before
    /// sending: after a crash the outcome is ambiguous and the payment is looked up before any resend.
    /// </summary>
    SubmittingPayment,

    /// <summary>The bank created the payment; waiting for settlement.</summary>
    PaymentSubmitted,

    /// <summary>Money left the debtor account (ACSC / ACCC or the v3.1.11 names). Final.</summary>
    Completed,

    /// <summary>Consent declined or payment rejected by the bank; no money moved. Final.</summary>
    Rejected,

    /// <summary>Stopped by a permanent error before any payment was created. Final.</summary>
    Failed,

    /// <summary>
    /// Not authorised in time (<c>AuthorisationTimeout</c>, or the consent's
    /// <c>Authorisation.CompletionDateTime</c>): nothing was paid and nothing more is sent. Final.
    /// </summary>
    Expired,
}
