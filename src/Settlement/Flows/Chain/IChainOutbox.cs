namespace Settlement.Service.Flows.Chain;

/// <summary>
/// Durable record of the signed transactions of flow steps (SQLite: <c>SqliteChainOutbox</c>). Written before the
/// broadcast, so after a crash the platform re-sends exactly what it may already have sent.
/// </summary>
public interface IChainOutbox
{
    /// <summary>The entry of a step, or null when the step never signed.</summary>
    Task<ChainOutboxEntry?> GetAsync(string stepKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="entry"/> unless its step key is already stored; returns what is stored afterwards (the
    /// existing entry when there was one: the caller must then not broadcast its own).
    /// </summary>
    Task<ChainOutboxEntry> AddAsync(ChainOutboxEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Records the block that mined the step's transaction.</summary>
    Task MarkMinedAsync(string stepKey, ulong blockNumber, CancellationToken cancellationToken = default);

    /// <summary>Entries with no mined block yet, by sender then nonce.</summary>
    Task<IReadOnlyList<ChainOutboxEntry>> ListUnminedAsync(CancellationToken cancellationToken = default);
}
