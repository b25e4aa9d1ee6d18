namespace Settlement.Cli.Demo;

/// <summary>Sandbox balances in pence: the three demo accounts and the sum over every account.</summary>
internal sealed record BankBalances(long Customer, long Platform, long Merchant, long Total);
