namespace Settlement.BankSandbox.Customer;

/// <summary>What the simulated customer does on the authorisation page.</summary>
public enum CustomerDecision
{
    /// <summary>Authorises the consent.</summary>
    Approve,

    /// <summary>Declines; the consent is Rejected and the TPP gets <c>error=access_denied</c>.</summary>
    Decline,
}
