namespace Settlement.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>.
/// Timers (and so <c>Task.Delay(t, provider)</c>, <c>CancellationTokenSource(t, provider)</c>,
/// Polly delays) fire synchronously inside <see cref="Advance"/> once their due time is reached.
/// <see cref="WaitForTimersAsync"/> lets a test wait until the code under test has started waiting.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TimeSpan? DueWithin, TaskCompletionSource Signal)> _waiters = [];
    private DateTimeOffset _now;
    private readonly List<TimeSpan> _firedDelays = [];
    private long _ticks;

    /// <summary>Starts the clock at <paramref name="start"/> (default 2026-01-01T00:00:00Z).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Timers armed for less than this fire at once on the thread pool instead of waiting for
    /// <see cref="Advance"/>, and their delay is recorded in <see cref="FiredDelays"/>: retry back-offs
    /// then run without the test stepping the clock, while longer timers (attempt timeouts) still wait.
    /// Zero (the default) turns this off.
    /// </summary>
    public TimeSpan AutoFireBelow { get; set; } = TimeSpan.Zero;

    /// <summary>The delays of the timers that fired at once because of <see cref="AutoFireBelow"/>.</summary>
    public IReadOnlyList<TimeSpan> FiredDelays
    {
        get
        {
            lock (_lock)
            {
                return [.. _firedDelays];
            }
        }
    }

    /// <summary>Timers currently scheduled (not disposed, with a finite due time).</summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _ticks;
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>True when a timer is armed to fire exactly at <paramref name="at"/>.</summary>
    public bool HasTimerDueAt(DateTimeOffset at)
    {
        lock (_lock)
        {
            return _timers.Exists(t => t.DueAt == at);
        }
    }

    /// <summary>
    /// Completes when at least <paramref name="count"/> timers are scheduled, counting only those due
    /// within <paramref name="dueWithin"/> from now when given (so that, say, a 30 s request timeout
    /// is not mistaken for a 2 s polling delay). A stuck test fails after 30 s of real time instead of
    /// hanging; that is a safety net, not a measurement.
    /// </summary>
    public Task WaitForTimersAsync(int count = 1, TimeSpan? dueWithin = null)
    {
        lock (_lock)
        {
            if (CountScheduled(dueWithin) >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, dueWithin, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Moves the clock forward and fires every timer that becomes due, in due order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.DueAt is { } due && due <= target).MinBy(t => t.DueAt);
                if (next is null)
                {
                    _ticks += (target - _now).Ticks;
                    _now = target;
                    break;
                }

                var due = next.DueAt!.Value;
                _ticks += (due - _now).Ticks;
                _now = due;
                next.Reschedule();
            }

            next.Fire();
        }

        Changed();
    }

    private void Changed()
    {
        List<TaskCompletionSource> ready;
        lock (_lock)
        {
            ready = _waiters.Where(w => CountScheduled(w.DueWithin) >= w.Count).Select(w => w.Signal).ToList();
            _waiters.RemoveAll(w => ready.Contains(w.Signal));
        }

        foreach (var signal in ready)
        {
            signal.TrySetResult();
        }
    }

    private int CountScheduled(TimeSpan? dueWithin) =>
        _timers.Count(t => t.DueAt is { } due && (dueWithin is null || due <= _now + dueWithin.Value));

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (dueTime != Timeout.InfiniteTimeSpan && dueTime < owner.AutoFireBelow)
                {
                    owner._timers.Remove(this);
                    owner._firedDelays.Add(dueTime);
                    DueAt = null;
                    ThreadPool.QueueUserWorkItem(_ => Fire());
                    return true;
                }

                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }

                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
            }

            owner.Changed();
            return true;
        }

        public void Reschedule() =>
            DueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : DueAt + _period;

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                DueAt = null;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
