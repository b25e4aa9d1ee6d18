using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// An in-memory <see cref="IChainIndexStore"/> of one stream for the indexer's unit tests: it makes the same checks as
/// the SQLite and PostgreSQL stores (<see cref="ChainIndexRules"/>), keeps the journal (transfers and reversals),
/// events, channels and block hashes, records every write asked for, and can be told to refuse the next write.
/// The real stores are tested against the same contract in <c>Settlement.IntegrationTests</c>.
/// </summary>
internal sealed class MemoryChainIndexStore : IChainIndexStore
{
    public IndexerCheckpoint? Checkpoint { get; set; }

    public List<BlockRef> Blocks { get; } = [];

    public List<BookedEvent> Events { get; } = [];

    public Dictionary<string, IndexedChannel> Channels { get; } = new(StringComparer.Ordinal);

    public List<Transfer> Journal { get; } = [];

    public List<ChainBlockBatch> Batches { get; } = [];

    public List<ChainRollback> Rollbacks { get; } = [];

    public List<(ulong AtOrBelow, int Limit)> BlockQueries { get; } = [];

    public List<string[]> ChannelQueries { get; } = [];

    /// <summary>Answers the next write instead of the store (once).</summary>
    public ChainIndexWriteResult? RefuseNext { get; set; }

    public Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default) => Task.FromResult(Checkpoint);

    public Task<IReadOnlyList<BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default)
    {
        BlockQueries.Add((atOrBelow, limit));
        return Task.FromResult<IReadOnlyList<BlockRef>>(Blocks.Where(b => b.Number <= atOrBelow).OrderByDescending(b => b.Number).Take(limit).ToList());
    }

    public Task<IReadOnlyList<IndexedChannel>> GetChannelsAsync(string stream, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken = default)
    {
        ChannelQueries.Add([.. channelIds]);
        return Task.FromResult<IReadOnlyList<IndexedChannel>>(channelIds.Where(Channels.ContainsKey).Select(id => Channels[id]).ToList());
    }

    public Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BookedEvent>>([.. Events]);

    public Task<IReadOnlyList<BookedEvent>> FindEventsByTransactionAsync(string stream, string transactionHash, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<BookedEvent>>(Events.Where(e => e.Key.TransactionHash == transactionHash).ToList());

    public async Task<ChainIndexWriteResult> ApplyBatchAsync(
        ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        Batches.Add(batch);
        if (TakeRefusal() is { } refused)
        {
            return refused;
        }

        if (ChainIndexRules.CheckBatch(batch, Checkpoint) is { } refusal)
        {
            return ChainIndexWriteResult.Refused(refusal.Refusal, refusal.Detail);
        }

        if (onStep is not null)
        {
            await onStep(IndexerStep.StoreLedgerWritten, cancellationToken);
        }

        Journal.AddRange(batch.Transfers);
        Events.AddRange(batch.Events);
        Blocks.AddRange(batch.Blocks);
        foreach (var channel in batch.Channels)
        {
            Channels[channel.ChannelId] = channel;
        }

        foreach (var e in batch.Events)
        {
            if (e is { ChannelId: { } id, PayeeCumulative: { } total } && Channels.TryGetValue(id, out var known))
            {
                Channels[id] = known with { PayeeRedeemed = total };
            }
        }

        Checkpoint = new IndexerCheckpoint(batch.Stream, batch.ChainId, batch.NewCheckpoint, Checkpoint?.Epoch ?? 0, (Checkpoint?.EventsBooked ?? 0) + batch.Events.Count, Checkpoint?.Reorgs ?? 0);
        return new ChainIndexWriteResult(null, null, Checkpoint);
    }

    public Task<ChainIndexWriteResult> RollbackAsync(
        ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        Rollbacks.Add(rollback);
        if (TakeRefusal() is { } refused)
        {
            return Task.FromResult(refused);
        }

        if (ChainIndexRules.CheckRollback(rollback, Checkpoint) is { } refusal)
        {
            return Task.FromResult(ChainIndexWriteResult.Refused(refusal.Refusal, refusal.Detail));
        }

        if (rollback.Target is { } target && !Blocks.Contains(target))
        {
            return Task.FromResult(ChainIndexWriteResult.Refused(ChainIndexRefusal.TargetBlockUnknown, target.ToString()));
        }

        var floor = rollback.Target?.Number;
        bool Above(ulong number) => floor is not { } f || number > f;
        var undone = Events.Where(e => Above(e.BlockNumber)).Reverse().ToList();
        var stored = Journal.ToDictionary(t => t.Id, t => new StoredTransfer(t, DateTimeOffset.UnixEpoch));
        var reversals = ChainIndexRules.Reversals(undone, stored);
        Journal.AddRange(reversals);
        Events.RemoveAll(e => Above(e.BlockNumber));
        Blocks.RemoveAll(b => Above(b.Number));
        foreach (var id in Channels.Values.Where(c => Above(c.OpenedBlock)).Select(c => c.ChannelId).ToList())
        {
            Channels.Remove(id);
        }

        var c = Checkpoint!;
        Checkpoint = c with { Block = rollback.Target, Epoch = c.Epoch + 1, EventsBooked = c.EventsBooked - undone.Count, Reorgs = c.Reorgs + 1 };
        return Task.FromResult(new ChainIndexWriteResult(null, null, Checkpoint, undone.Count, reversals.Count));
    }

    /// <summary>Sum of every journal movement per account (credits minus debits).</summary>
    public Dictionary<UInt128, long> Balances()
    {
        var balances = new Dictionary<UInt128, long>();
        foreach (var t in Journal)
        {
            balances[t.CreditAccountId] = balances.GetValueOrDefault(t.CreditAccountId) + (long)t.Amount;
            balances[t.DebitAccountId] = balances.GetValueOrDefault(t.DebitAccountId) - (long)t.Amount;
        }

        return balances;
    }

    private ChainIndexWriteResult? TakeRefusal()
    {
        var refused = RefuseNext;
        RefuseNext = null;
        return refused;
    }
}
