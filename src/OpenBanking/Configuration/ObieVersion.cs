namespace Settlement.OpenBanking.Configuration;

/// <summary>The OBIE Read/Write Payment Initiation API version a bank speaks.</summary>
public enum ObieVersion
{
    /// <summary>v3.1.11, base path <c>/open-banking/v3.1/pisp</c>, long status names.</summary>
    V3_1_11,

    /// <summary>v4.0, base path <c>/open-banking/v4.0/pisp</c>, ISO 20022 status codes.</summary>
    V4_0,
}
