namespace Settlement.OpenBanking.Transfers;

/// <summary>Direction of a transfer.</summary>
public enum TransferKind
{
    /// <summary>Customer's bank account → platform account (the customer authorises).</summary>
    Topup,

    /// <summary>Platform account → merchant account (the platform authorises).</summary>
    Payout,
}
