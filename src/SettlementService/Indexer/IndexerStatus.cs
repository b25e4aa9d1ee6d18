using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Storage;

namespace Settlement.SettlementService.Indexer;

/// <summary>
/// What the indexer follower last saw, for <c>/health</c> and the metrics: the checkpoint and head of the last
/// successful poll, the last failure and how many polls in a row failed. Written by one follower, read by requests.
/// </summary>
internal sealed class IndexerStatus
{
    private readonly Lock _gate = new();
    private IndexerStatusSnapshot _snapshot;

    public IndexerStatus(SettlementServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = options.IndexerEnabled;
        Confirmations = options.Confirmations;
        StartBlock = options.StartBlock;
        _snapshot = new IndexerStatusSnapshot(null, null, null, null, null, null, 0);
    }

    public bool Enabled { get; }

    public int Confirmations { get; }

    public ulong StartBlock { get; }

    public IndexerStatusSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _snapshot;
            }
        }
    }

    public void Succeeded(IndexerPollResult result, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            _snapshot = _snapshot with { Checkpoint = result.Checkpoint, Head = result.Head, LastPollAt = at, LastSuccessAt = at, ConsecutiveFailures = 0 };
        }
    }

    public void Failed(Exception error, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            _snapshot = _snapshot with
            {
                LastPollAt = at,
                LastError = $"{error.GetType().Name}: {error.Message}",
                LastErrorAt = at,
                ConsecutiveFailures = _snapshot.ConsecutiveFailures + 1,
            };
        }
    }

    /// <summary>Confirmed blocks not yet booked: (head − confirmations) − checkpoint; null before the first poll.</summary>
    public long? Lag(IndexerCheckpoint? checkpoint, ulong? head)
    {
        if (head is not { } h)
        {
            return null;
        }

        if (h < (ulong)Confirmations)
        {
            return 0;
        }

        var safe = h - (ulong)Confirmations;
        var next = checkpoint?.Block is { } block ? block.Number + 1 : StartBlock;
        return safe < next ? 0 : (long)Math.Min(safe - next + 1, long.MaxValue);
    }
}
