using Settlement.Service.Flows.Chain;

namespace Settlement.Service.Tests.Flows.Chain;

/// <summary>
/// The chain outbox in memory with the SQLite outbox's contract (the first entry of a step key is kept; unmined entries
/// by sender then nonce), and hooks that play a crash, a lost row or a process that stored a step first.
/// </summary>
internal sealed class MemoryChainOutbox : IChainOutbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChainOutboxEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Step keys <see cref="GetAsync"/> answers null for (a row that went missing).</summary>
    public HashSet<string> Hidden { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs instead of storing an entry, with it; its result is what <see cref="AddAsync"/> answers (null: store it).</summary>
    public Func<ChainOutboxEntry, ChainOutboxEntry?>? OnAdd { get; set; }

    /// <summary>Runs at the start of each <see cref="ListUnminedAsync"/> (once per task it returns, awaited).</summary>
    public Func<Task>? BeforeList { get; set; }

    public int ListCalls { get; private set; }

    /// <summary>Every entry, by step key.</summary>
    public IReadOnlyDictionary<string, ChainOutboxEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, ChainOutboxEntry>(_entries, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Stores an entry as is (what an earlier process left).</summary>
    public void Put(ChainOutboxEntry entry)
    {
        lock (_gate)
        {
            _entries[entry.StepKey] = entry;
        }
    }

    public Task<ChainOutboxEntry?> GetAsync(string stepKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Hidden.Contains(stepKey) ? null : _entries.GetValueOrDefault(stepKey));
        }
    }

    public Task<ChainOutboxEntry> AddAsync(ChainOutboxEntry entry, CancellationToken cancellationToken = default)
    {
        if (OnAdd?.Invoke(entry) is { } other)
        {
            return Task.FromResult(other);
        }

        lock (_gate)
        {
            return Task.FromResult(_entries.TryAdd(entry.StepKey, entry) ? entry : _entries[entry.StepKey]);
        }
    }

    public Task MarkMinedAsync(string stepKey, ulong blockNumber, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _entries[stepKey] = _entries[stepKey] with { MinedBlock = blockNumber };
            return Task.CompletedTask;
        }
    }

    public async Task<IReadOnlyList<ChainOutboxEntry>> ListUnminedAsync(CancellationToken cancellationToken = default)
    {
        ListCalls++;
        if (BeforeList is { } before)
        {
            await before();
        }

        lock (_gate)
        {
            return [.. _entries.Values.Where(e => e.MinedBlock is null).OrderBy(e => e.Sender, StringComparer.Ordinal).ThenBy(e => e.Nonce)];
        }
    }
}
