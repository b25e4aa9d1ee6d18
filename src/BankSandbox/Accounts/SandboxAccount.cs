namespace Settlement.BankSandbox.Accounts;

/// <summary>A snapshot of one sandbox account (UK.OBIE.SortCodeAccountNumber, GBP, pence).</summary>
public sealed record SandboxAccount
{
    /// <summary>Sort code and account number, 14 digits (the OBIE <c>UK.OBIE.SortCodeAccountNumber</c> identification).</summary>
    public required string Identification { get; init; }

    /// <summary>Account holder name.</summary>
    public string Name { get; init; } = "Sandbox account";

    /// <summary>Balance in minor units (pence). May not go negative through payments.</summary>
    public long BalanceMinor { get; init; }

    /// <summary>Currency; the sandbox holds GBP only.</summary>
    public string Currency { get; init; } = "GBP";

    /// <summary>True when <paramref name="identification"/> is 14 ASCII digits.</summary>
    public static bool IsValidIdentification(string? identification) =>
        identification is { Length: 14 } && identification.All(char.IsAsciiDigit);
}
