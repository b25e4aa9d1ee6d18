namespace Settlement.Service.Reconciliation;

/// <summary>
/// Two sources compared with one another, e.g. Bank vs Ledger in GBP, Chain vs Ledger in tGBP.
/// </summary>
/// <param name="Name">Names the pairing in results and reports; unique within a run.</param>
/// <param name="Left">The left side's source.</param>
/// <param name="Right">The right side's source (not <paramref name="Left"/>).</param>
/// <param name="Rules">Tolerance, date lag and rule order.</param>
public sealed record ReconciliationPairing(string Name, ReconciliationSource Left, ReconciliationSource Right, ReconciliationRules Rules)
{
    /// <summary>
    /// When set, the pairing takes only records of this asset (a multi-pairing run routes records by source and asset);
    /// when null, every asset of its two sources.
    /// </summary>
    public string? Asset { get; init; }

    /// <summary>Whether a record of <paramref name="source"/> and <paramref name="asset"/> belongs to the given side.</summary>
    internal bool Takes(ReconciliationSource side, ReconciliationSource source, string asset) =>
        side == source && (Asset is null || string.Equals(Asset, asset, StringComparison.Ordinal));

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Name);
        ArgumentNullException.ThrowIfNull(Rules);
        if (!Enum.IsDefined(Left) || !Enum.IsDefined(Right) || Left == Right)
        {
            throw new ArgumentException($"Pairing '{Name}' must compare two different sources (was {Left} vs {Right}).", nameof(Right));
        }

        if (Asset is { Length: 0 })
        {
            throw new ArgumentException($"Pairing '{Name}': {nameof(Asset)} must be null or not empty.", nameof(Asset));
        }

        Rules.Validate();
    }
}
