namespace Settlement.BankSandbox;

/// <summary>The OBIE Payment Initiation API versions the sandbox serves side by side.</summary>
public enum PisVersion
{
    /// <summary>v3.1.11, under <c>/open-banking/v3.1/pisp</c>; long status names, <c>UK.OBIE.*</c> error codes.</summary>
    V3 = 3,

    /// <summary>v4.0 (Update 4), under <c>/open-banking/v4.0/pisp</c>; ISO status codes, <c>Uxxx</c> error codes.</summary>
    V4 = 4,
}
