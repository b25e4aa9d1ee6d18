namespace Settlement.Service.Ledger;

/// <summary>
/// The ledgers (one per asset) and their base units. Amounts are unsigned 128-bit integers (<see cref="UInt128"/>) in
/// these units everywhere in the ledger: 2^128 − 1 wei is far above any ETH supply, so one type serves every asset.
/// </summary>
public static class LedgerAssets
{
    /// <summary>Pounds sterling, in pence.</summary>
    public const uint Gbp = 1;

    /// <summary>The test stablecoin tGBP, in base units (6 decimals: 1 penny = 10,000 units, see <c>StablecoinRate</c>).</summary>
    public const uint Tgbp = 2;

    /// <summary>Ether, in wei (gas).</summary>
    public const uint Eth = 3;

    /// <summary>A display name for a ledger number ("ledger-N" for one not listed).</summary>
    public static string Name(uint ledger) => ledger switch
    {
        Gbp => "GBP (pence)",
        Tgbp => "tGBP (base units)",
        Eth => "ETH (wei)",
        _ => $"ledger-{ledger}",
    };
}
