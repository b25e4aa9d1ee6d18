namespace Settlement.Channels.Payee;

/// <summary>Which side of a channel signs a voucher (the contract supports both directions in one channel).</summary>
public enum VoucherDirection : byte
{
    /// <summary>Signed by the payer, paid from the payer's deposit to the payee (the usual stream).</summary>
    PayerToPayee = 0,

    /// <summary>Signed by the payee, paid from the payee's deposit back to the payer (refunds).</summary>
    PayeeToPayer = 1,
}
