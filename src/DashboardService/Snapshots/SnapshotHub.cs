namespace Settlement.DashboardService.Snapshots;

/// <summary>
/// The newest snapshot (serialized once) and a signal for the event streams waiting for the next one. Each subscriber
/// reads the newest snapshot when it wakes: a slow browser skips snapshots instead of queueing them.
/// </summary>
internal sealed class SnapshotHub
{
    private readonly object _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The newest snapshot as JSON, and its sequence number (0 = none yet).</summary>
    public (string Json, long Sequence) Latest { get; private set; } = ("{}", 0);

    /// <summary>Publishes <paramref name="json"/> and wakes every waiting stream.</summary>
    public void Publish(string json)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            Latest = (json, Latest.Sequence + 1);
            wake = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }

    /// <summary>Completes when a snapshot newer than <paramref name="sequence"/> exists.</summary>
    public Task WaitNewerAsync(long sequence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Latest.Sequence > sequence ? Task.CompletedTask : _next.Task.WaitAsync(cancellationToken);
        }
    }
}
