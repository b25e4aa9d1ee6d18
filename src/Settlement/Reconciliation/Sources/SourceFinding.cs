namespace Settlement.Service.Reconciliation.Sources;

/// <summary>
/// Something the sources found outside a one-to-one pairing of records: the bank clearing account moved by more (or
/// less) than the flows' transfers explain, or a channel settlement whose split does not empty the escrow. Each finding
/// is also a record in the run (see <see cref="RecordId"/>), so it is a break in every report format.
/// </summary>
/// <param name="Code"><c>bank-clearing-unexplained</c> or <c>channel-settlement-unbalanced</c>.</param>
/// <param name="RecordId">The id of the record that carries it into the run.</param>
/// <param name="Asset">GBP or tGBP.</param>
/// <param name="Amount">The unexplained difference, signed (base units of the asset).</param>
/// <param name="Detail">One sentence built from the stored data.</param>
public sealed record SourceFinding(string Code, string RecordId, string Asset, Int128 Amount, string Detail);
