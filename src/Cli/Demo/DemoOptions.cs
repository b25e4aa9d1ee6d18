namespace Settlement.Cli.Demo;

/// <summary>The knobs of <c>l2pay demo</c> (all have embedded defaults).</summary>
internal sealed record DemoOptions
{
    /// <summary>Top-up through the bank, in pence.</summary>
    public long TopupPence { get; init; } = 2_000;

    /// <summary>Vouchers the user signs.</summary>
    public int Vouchers { get; init; } = 1_000;

    /// <summary>What each voucher adds, in pence.</summary>
    public long IncrementPence { get; init; } = 1;

    /// <summary>An existing node instead of a local Anvil.</summary>
    public Uri? RpcUrl { get; init; }

    /// <summary>One JSON object on stdout instead of the step lines.</summary>
    public bool Json { get; init; }

    /// <summary>Run the live dashboard (docs/dashboard.md) while the story plays and keep it up until Ctrl+C.</summary>
    public bool Dashboard { get; init; }

    /// <summary>Bounded wait for each bank payment to become final.</summary>
    public TimeSpan BankTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
