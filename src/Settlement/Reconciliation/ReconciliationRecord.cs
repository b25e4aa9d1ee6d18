namespace Settlement.Service.Reconciliation;

/// <summary>
/// One item to reconcile: a bank payment record, a ledger transfer or a chain event, reduced to what matching needs.
/// <para>
/// <b>Sign convention.</b> <see cref="Amount"/> is signed and seen from the platform's side of the reconciled account:
/// positive = money in (a top-up received, a payout returned), negative = money out (a payout, a reversal of money in).
/// Both sides of a pairing must use the same convention; a reversal carries the opposite sign of what it reverses, so
/// an original and its reversal net to zero. Amounts are integers in the asset's base unit (pence for GBP, base units
/// for tGBP), never fractions.
/// </para>
/// </summary>
public sealed record ReconciliationRecord
{
    /// <summary>
    /// The largest amount a record carries either way, 2^96 − 1 base units (the channel contract's amounts are 96-bit;
    /// a bank amount in pence fits in 2^63, 2^77 as base units). Bounding it keeps every difference, tolerance reach and
    /// sum the pairing engine works out (of up to 2^31 records) inside <see cref="Int128"/>.
    /// </summary>
    public static readonly Int128 MaxAmount = (Int128.One << 96) - 1;

    /// <summary>Creates a record.</summary>
    /// <param name="source">Where it comes from.</param>
    /// <param name="id">Unique within <paramref name="source"/>: a bank payment id, a ledger transfer id (hex), a chain "txhash:logIndex".</param>
    /// <param name="reference">The key both sides carry (a flow or operation id); null or empty when the record has none.</param>
    /// <param name="asset">The asset ("GBP", "tGBP"); records only match within one asset (ordinal comparison).</param>
    /// <param name="amount">Signed amount in the asset's base unit (see the sign convention above).</param>
    /// <param name="at">Booking or value time.</param>
    /// <param name="kind">What it represents.</param>
    /// <param name="counterparty">Optional, carried into the reports only.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="asset"/> null or empty, or an undefined source.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> beyond ±<see cref="MaxAmount"/>.</exception>
    public ReconciliationRecord(
        ReconciliationSource source,
        string id,
        string? reference,
        string asset,
        Int128 amount,
        DateTimeOffset at,
        ReconciliationKind kind,
        string? counterparty = null)
    {
        if (!Enum.IsDefined(source))
        {
            throw new ArgumentException($"Undefined source {(int)source}.", nameof(source));
        }

        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(asset);
        if (amount > MaxAmount || amount < -MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, $"Record {source} {id}: the amount is beyond ±(2^96 − 1) base units.");
        }

        Source = source;
        Id = id;
        Reference = string.IsNullOrEmpty(reference) ? null : reference;
        Asset = asset;
        Amount = amount;
        At = at;
        Kind = kind;
        Counterparty = string.IsNullOrEmpty(counterparty) ? null : counterparty;
    }

    /// <summary>Where it comes from.</summary>
    public ReconciliationSource Source { get; }

    /// <summary>Unique within <see cref="Source"/>; a second record with the same source and id is a duplicate.</summary>
    public string Id { get; }

    /// <summary>The match key both sides carry, or null.</summary>
    public string? Reference { get; }

    /// <summary>The asset; matching never crosses assets.</summary>
    public string Asset { get; }

    /// <summary>Signed amount in base units.</summary>
    public Int128 Amount { get; }

    /// <summary>Booking or value time.</summary>
    public DateTimeOffset At { get; }

    /// <summary>What it represents.</summary>
    public ReconciliationKind Kind { get; }

    /// <summary>Optional counterparty (reports only).</summary>
    public string? Counterparty { get; }
}
