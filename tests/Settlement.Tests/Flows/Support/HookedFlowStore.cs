using System.Threading.Channels;
using Settlement.Service.Flows;

namespace Settlement.Service.Tests.Flows.Support;

/// <summary>
/// A flow store over another (the in-memory one) with hooks: lose updates (another runner moved the flow first), let
/// another runner insert first, and see or interfere with each <see cref="ListAsync"/> (every resume pass and payout
/// batch starts with one; counted, then refused once the caller's token is cancelled).
/// </summary>
internal sealed class HookedFlowStore(IFlowStore inner) : IFlowStore
{
    private readonly Channel<int> _listed = Channel.CreateUnbounded<int>();
    private int _lists;

    /// <summary>True for an update that is answered false without being written (the version moved on).</summary>
    public Func<StoredFlow, bool> LoseUpdate { get; set; } = _ => false;

    /// <summary>Runs once, before the next insert (another runner inserting first).</summary>
    public Func<StoredFlow, Task>? BeforeInsert { get; set; }

    /// <summary>Runs at every list with its number (1, 2, …) and the caller's token, before the inner store answers.</summary>
    public Func<int, CancellationToken, Task>? OnList { get; set; }

    /// <summary>Lists so far.</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>The next list's number, once it has been asked for.</summary>
    public Task<int> NextListAsync() => _listed.Reader.ReadAsync().AsTask();

    public Task MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);

    public async Task<bool> TryInsertAsync(StoredFlow flow, string @event, CancellationToken cancellationToken = default)
    {
        if (BeforeInsert is { } hook)
        {
            BeforeInsert = null;
            await hook(flow);
        }

        return await inner.TryInsertAsync(flow, @event, cancellationToken);
    }

    public Task<bool> TryUpdateAsync(StoredFlow next, string @event, string? detail, CancellationToken cancellationToken = default) =>
        LoseUpdate(next) ? Task.FromResult(false) : inner.TryUpdateAsync(next, @event, detail, cancellationToken);

    public Task<StoredFlow?> GetAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);

    public async Task<IReadOnlyList<StoredFlow>> ListAsync(FlowKind? kind, bool unfinishedOnly, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _lists);
        _listed.Writer.TryWrite(n);
        cancellationToken.ThrowIfCancellationRequested(); // as the SQL stores do
        if (OnList is { } hook)
        {
            await hook(n, cancellationToken);
        }

        return await inner.ListAsync(kind, unfinishedOnly, cancellationToken);
    }

    public Task<IReadOnlyList<FlowTransition>> GetTransitionsAsync(Guid id, CancellationToken cancellationToken = default) =>
        inner.GetTransitionsAsync(id, cancellationToken);
}
