namespace Settlement.Channels.Storage;

/// <summary>
/// A store's "migrate once" state: migrations of one store object run one at a time, and after one succeeded the reads
/// and writes stop asking. Reads and writes call <see cref="EnsureAsync"/> so they work on a database nobody migrated
/// yet (an empty store) instead of failing on a missing table.
/// </summary>
internal sealed class MigrationGate
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _migrated;

    /// <summary>Runs <paramref name="migrate"/> (alone among this gate's callers) and, when it succeeds, marks the store migrated.</summary>
    /// <param name="migrate">The store's migration; safe to run again.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task RunAsync(Func<CancellationToken, Task> migrate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(migrate);
        cancellationToken.ThrowIfCancellationRequested();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await migrate(cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Runs <paramref name="migrate"/> through <see cref="RunAsync"/> unless a migration already succeeded.</summary>
    /// <param name="migrate">The store's migration; safe to run again.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public Task EnsureAsync(Func<CancellationToken, Task> migrate, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _migrated ? Task.CompletedTask : RunAsync(migrate, cancellationToken);
    }
}
