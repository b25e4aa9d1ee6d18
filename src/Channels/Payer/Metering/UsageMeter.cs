using System.Numerics;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Payer.Metering;

/// <summary>
/// Turns use into payments on a <see cref="PayerChannel"/>: per unit or per byte (<see cref="RecordAsync"/>) or per
/// second (<see cref="Start"/> then <see cref="TickAsync"/>), at an integer price, paying whenever the unpaid amount
/// would exceed the credit the payee extends, and then <see cref="MeterOptions.PayAhead"/> ahead. Usage pauses when the
/// deposit cannot cover it, and the app hears of a low balance in time to top up. Costs are computed on running
/// totals, so rounding never drifts. Calls are serialised. A meter made by <see cref="OpenAsync"/> is durable: its
/// totals are stored with the channel (<see cref="IPayerStore.SaveMeterAsync"/>) before each call returns and before
/// each payment is asked for, so a restarted payer neither charges the same use twice nor forgets use it recorded.
/// </summary>
public sealed class UsageMeter : IDisposable
{
    private readonly PayerChannel _channel;
    private readonly MeterOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BigInteger _units;
    private BigInteger _paid;
    private long _accruedTicks;
    private long? _runningSince;
    private bool _lowNotified;
    private bool _timeMeter;
    private bool _durable;

    /// <summary>A meter on <paramref name="channel"/>; it pays only for usage recorded through it.</summary>
    public UsageMeter(PayerChannel channel, MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxUnpaidCredit.Sign < 0 || options.PayAhead.Sign < 0 || options.LowBalanceThreshold.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Credit, pay-ahead and threshold are not negative.");
        }

        _channel = channel;
        _options = options;
    }

    /// <summary>
    /// A durable meter named <see cref="MeterOptions.Name"/> on <paramref name="channel"/>: continues from the totals the
    /// store holds (none: from zero). A payment that was written ahead but whose voucher never became durable (the
    /// process stopped in between, so the voucher never left it) is taken back out of <see cref="Paid"/> and is paid
    /// again by the next payment; one whose voucher is durable counts as paid. This check compares the channel's signed
    /// amount, so it assumes this meter is the channel's only payer while a payment is in flight.
    /// </summary>
    public static async Task<UsageMeter> OpenAsync(PayerChannel channel, MeterOptions options, CancellationToken cancellationToken = default)
    {
        var meter = new UsageMeter(channel, options);
        ArgumentException.ThrowIfNullOrEmpty(options.Name, nameof(options));
        meter._durable = true;
        if (await channel.Client.Store.GetMeterAsync(channel.Key, options.Name, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return meter;
        }

        meter._units = state.Units;
        meter._accruedTicks = state.Ticks;
        meter._timeMeter = state.Ticks > 0;
        meter._paid = state.Paid;
        if (state.PendingPayment.Sign > 0)
        {
            if (channel.Signed < state.PendingAbove + state.PendingPayment)
            {
                meter._paid -= state.PendingPayment;
            }

            await meter.SaveAsync(BigInteger.Zero, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
        }

        return meter;
    }

    /// <summary>True if the totals are kept in the payer store (<see cref="OpenAsync"/>).</summary>
    public bool IsDurable => _durable;

    /// <summary>Billed time of a time meter (whole and partial seconds up to the last tick).</summary>
    public TimeSpan Billed => TimeSpan.FromTicks(_accruedTicks);

    /// <summary>Units (or bytes, or whole seconds for a time meter) recorded so far.</summary>
    public BigInteger Units => _units;

    /// <summary>Paid through this meter so far, base units.</summary>
    public BigInteger Paid => _paid;

    /// <summary>True after the deposit ran out, until usage is covered again (after a top-up).</summary>
    public bool IsPaused { get; private set; }

    /// <summary>
    /// Records <paramref name="units"/> more units (or bytes) and pays if the unpaid amount would exceed the credit.
    /// When the deposit cannot cover them the units are not recorded and the meter is paused.
    /// </summary>
    public async Task<MeterOutcome> RecordAsync(BigInteger units, CancellationToken cancellationToken = default)
    {
        if (units.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(units), "Usage is not negative.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var total = _units + units;
            var due = _options.Price.CostOf(total);
            if (due - _paid > _channel.Remaining)
            {
                IsPaused = true;
                await NotifyLowBalanceAsync(cancellationToken).ConfigureAwait(false);
                return new MeterOutcome(MeterStatus.Paused, _units, _options.Price.CostOf(_units), _paid, null);
            }

            var before = _units;
            _units = total;
            IsPaused = false;
            MeterOutcome outcome;
            try
            {
                outcome = await SettleAsync(due, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // A store fault: the use is not recorded (nothing about it is on disk), as with a pause.
                _units = before;
                throw;
            }

            if (outcome.Status == MeterStatus.Paused)
            {
                // The channel refused to pay (closing, or another caller signed its deposit away meanwhile): like any
                // pause, the usage is not recorded, so recording it again after a top-up does not count it twice.
                _units = before;
                await SaveAsync(BigInteger.Zero, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
                return outcome with { Units = before, Due = _options.Price.CostOf(before) };
            }

            return outcome;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts (or resumes) a time meter from now.</summary>
    public void Start()
    {
        _timeMeter = true;
        _runningSince ??= _options.TimeProvider.GetTimestamp();
    }

    /// <summary>
    /// Bills the time elapsed since <see cref="Start"/> (time meters). When the deposit cannot cover it, the deposit's
    /// remainder is paid, the clock stops and the meter pauses; <see cref="Start"/> resumes after a top-up.
    /// </summary>
    public async Task<MeterOutcome> TickAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_runningSince is not { } since)
            {
                return new MeterOutcome(IsPaused ? MeterStatus.Paused : MeterStatus.Recorded, _units, _options.Price.CostOfTicks(_accruedTicks), _paid, null);
            }

            var now = _options.TimeProvider.GetTimestamp();
            var ticks = _accruedTicks + (long)(_options.TimeProvider.GetElapsedTime(since, now).Ticks);
            var due = _options.Price.CostOfTicks(ticks);
            var coverable = _paid + _channel.Remaining;
            if (due > coverable)
            {
                // Bill what the deposit covers, then stop the clock.
                _accruedTicks = ticks;
                _runningSince = null;
                _units = ticks / TimeSpan.TicksPerSecond;
                IsPaused = true;
                var payment = coverable > _paid ? await PayAsync(coverable - _paid, cancellationToken).ConfigureAwait(false) : null;
                if (payment is null)
                {
                    await SaveAsync(BigInteger.Zero, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
                }

                await NotifyLowBalanceAsync(cancellationToken).ConfigureAwait(false);
                return new MeterOutcome(MeterStatus.Paused, _units, due, _paid, payment);
            }

            var (ticksBefore, unitsBefore) = (_accruedTicks, _units);
            _accruedTicks = ticks;
            _runningSince = now;
            _units = ticks / TimeSpan.TicksPerSecond;
            IsPaused = false;
            try
            {
                return await SettleAsync(due, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                (_accruedTicks, _units, _runningSince) = (ticksBefore, unitsBefore, since);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Pays whatever recorded usage is still unpaid (the credit), e.g. at the end of a session, so the payee holds a
    /// voucher for exactly what was used (or more, when paid ahead). Nothing is paid when nothing is owed.
    /// </summary>
    public async Task<MeterOutcome> SettleUpAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var due = _timeMeter ? _options.Price.CostOfTicks(_accruedTicks) : _options.Price.CostOf(_units);
            if (due <= _paid)
            {
                return new MeterOutcome(MeterStatus.Recorded, _units, due, _paid, null);
            }

            var payment = await PayAsync(BigInteger.Min(due - _paid, _channel.Remaining), cancellationToken).ConfigureAwait(false);
            return new MeterOutcome(payment is PaymentRejected ? MeterStatus.Rejected : MeterStatus.Paid, _units, due, _paid, payment);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<MeterOutcome> SettleAsync(BigInteger due, CancellationToken cancellationToken)
    {
        if (due - _paid <= _options.MaxUnpaidCredit)
        {
            await SaveAsync(BigInteger.Zero, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
            return new MeterOutcome(MeterStatus.Recorded, _units, due, _paid, null);
        }

        var target = BigInteger.Min(due + _options.PayAhead, _paid + _channel.Remaining);
        var payment = await PayAsync(target - _paid, cancellationToken).ConfigureAwait(false);
        await NotifyLowBalanceAsync(cancellationToken).ConfigureAwait(false);
        var status = payment switch
        {
            PaymentRejected => MeterStatus.Rejected,
            PaymentRefused => MeterStatus.Paused,
            _ => MeterStatus.Paid,
        };
        IsPaused = status == MeterStatus.Paused;
        return new MeterOutcome(status, _units, due, _paid, payment);
    }

    /// <summary>
    /// Pays <paramref name="amount"/>. A durable meter first stores its totals with the payment counted as paid and
    /// marked pending (written ahead: if the process stops before the voucher is durable, <see cref="OpenAsync"/> sees the
    /// channel's signed amount short of it and takes it back). On a fault the payment is not counted in memory; what the
    /// store holds is settled by <see cref="OpenAsync"/> after a restart.
    /// </summary>
    private async Task<PaymentOutcome> PayAsync(BigInteger amount, CancellationToken cancellationToken)
    {
        var above = _channel.Signed;
        _paid += amount;
        PaymentOutcome payment;
        try
        {
            await SaveAsync(amount, above, cancellationToken).ConfigureAwait(false);
            payment = await _channel.PayAsync(amount, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _paid -= amount;
            throw;
        }

        if (payment is PaymentRefused)
        {
            // Nothing was signed: the pending payment is taken back (on disk too, so a restart does not look for it).
            _paid -= amount;
            await SaveAsync(BigInteger.Zero, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
        }

        // Otherwise signed and stored: the payee can redeem it whatever its answer.
        return payment;
    }

    /// <summary>Stores the totals of a durable meter (nothing for an in-memory one).</summary>
    private Task SaveAsync(BigInteger pending, BigInteger above, CancellationToken cancellationToken) =>
        _durable
            ? _channel.Client.Store.SaveMeterAsync(new PayerMeterState(_channel.Key, _options.Name, _units, _accruedTicks, _paid, pending, above), cancellationToken)
            : Task.CompletedTask;

    private async Task NotifyLowBalanceAsync(CancellationToken cancellationToken)
    {
        var remaining = _channel.Remaining;
        if (remaining >= _options.LowBalanceThreshold || _options.LowBalanceThreshold.IsZero)
        {
            _lowNotified = false;
            return;
        }

        if (_lowNotified || _options.OnLowBalance is not { } callback)
        {
            return;
        }

        _lowNotified = true;
        await callback(new LowBalance(_channel.Key, remaining, _options.LowBalanceThreshold), cancellationToken).ConfigureAwait(false);
    }
}
