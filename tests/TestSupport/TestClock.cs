using Microsoft.Extensions.Time.Testing;

namespace Settlement.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> (the library's clock: <see cref="FakeTimeProvider.Advance(TimeSpan)"/>
/// fires due timers in due order) plus the two things it cannot do, because it keeps its armed timers private:
/// <list type="bullet">
/// <item>wait until the code under test has armed a timer (<see cref="WaitForTimersAsync"/>,
/// <see cref="WaitForTimerDueAtAsync"/>), so a test steps the clock only once the code is waiting;</item>
/// <item>fire short timers at once (<see cref="AutoFireBelow"/>) and record their delays
/// (<see cref="FiredDelays"/>), so retry back-offs run without the test stepping the clock while
/// longer timers (attempt timeouts) still wait for <see cref="FakeTimeProvider.Advance(TimeSpan)"/>.</item>
/// </list>
/// Both come from overriding <see cref="CreateTimer"/>: every timer is the library's timer, wrapped to
/// note its due time.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly List<TrackedTimer> _armed = [];
    private readonly List<(Func<bool> Ready, TaskCompletionSource Signal)> _waiters = [];
    private readonly List<TimeSpan> _firedDelays = [];

    /// <summary>Starts the clock at <paramref name="start"/> (default 2026-01-01T00:00:00Z).</summary>
    public TestClock(DateTimeOffset? start = null)
        : base(start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>
    /// Timers armed for less than this fire at once on the thread pool instead of waiting for
    /// <see cref="FakeTimeProvider.Advance(TimeSpan)"/>, and their delay is recorded in <see cref="FiredDelays"/>.
    /// Zero (the default) turns this off.
    /// </summary>
    public TimeSpan AutoFireBelow { get; init; } = TimeSpan.Zero;

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

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Completes when at least <paramref name="count"/> timers are armed, counting only those due within
    /// <paramref name="dueWithin"/> from now when given (so that a 30 s request timeout is not mistaken for
    /// a 2 s polling delay). Checked whenever a timer is armed, changed, fires or is disposed; a stuck test
    /// fails after 30 s of real time instead of hanging (a safety net, not a measurement).
    /// </summary>
    public Task WaitForTimersAsync(int count = 1, TimeSpan? dueWithin = null) =>
        WaitUntilAsync(() => _armed.Count(t => dueWithin is null || t.DueAt <= GetUtcNow() + dueWithin.Value) >= count);

    /// <summary>Completes when a timer is armed to fire exactly at <paramref name="at"/> (same safety net).</summary>
    public Task WaitForTimerDueAtAsync(DateTimeOffset at) => WaitUntilAsync(() => _armed.Exists(t => t.DueAt == at));

    private Task WaitUntilAsync(Func<bool> ready)
    {
        lock (_lock)
        {
            if (ready())
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((ready, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private void Changed()
    {
        List<TaskCompletionSource> ready;
        lock (_lock)
        {
            ready = [.. _waiters.Where(w => w.Ready()).Select(w => w.Signal)];
            _waiters.RemoveAll(w => ready.Contains(w.Signal));
        }

        foreach (var signal in ready)
        {
            signal.TrySetResult();
        }
    }

    private ITimer CreateLibraryTimer(TimerCallback callback) =>
        base.CreateTimer(callback, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private sealed class TrackedTimer : ITimer
    {
        private readonly TestClock _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private readonly ITimer _inner;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public TrackedTimer(TestClock owner, TimerCallback callback, object? state)
        {
            (_owner, _callback, _state) = (owner, callback, state);
            _inner = owner.CreateLibraryTimer(_ => Fired());
        }

        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var autoFire = dueTime != Timeout.InfiniteTimeSpan && dueTime < _owner.AutoFireBelow;
            lock (_owner._lock)
            {
                _owner._armed.Remove(this);
                _period = period;
                if (autoFire)
                {
                    _owner._firedDelays.Add(dueTime);
                }
                else if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = _owner.GetUtcNow() + dueTime;
                    _owner._armed.Add(this);
                }
            }

            if (autoFire)
            {
                _inner.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                ThreadPool.QueueUserWorkItem(_ => _callback(_state));
            }
            else
            {
                _inner.Change(dueTime, period);
            }

            _owner.Changed();
            return true;
        }

        public void Dispose()
        {
            lock (_owner._lock)
            {
                _owner._armed.Remove(this);
            }

            _inner.Dispose();
            _owner.Changed();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Fired()
        {
            lock (_owner._lock)
            {
                _owner._armed.Remove(this);
                if (_period != Timeout.InfiniteTimeSpan && _period != TimeSpan.Zero)
                {
                    DueAt = _owner.GetUtcNow() + _period;
                    _owner._armed.Add(this);
                }
            }

            _callback(_state);
            _owner.Changed();
        }
    }
}
