using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee;

/// <summary>
/// The payee's engine: verifies each voucher (<see cref="VoucherVerifier"/>), applies the velocity rules, makes it
/// durable through group commit and only then answers. Keeps each channel's confirmed view (updated from chain
/// events while running), the credit API for the merchant's code, and signs receipts. Thread-safe; one instance
/// per process, any number of processes per database (the store's conditional writes keep the newest amount
/// monotone across instances).
/// </summary>
public sealed partial class PayeeEngine : IAsyncDisposable
{
    private readonly PayeeOptions _options;
    private readonly IVoucherStore _store;
    private readonly IChannelViewSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReceiptSigner? _receipts;
    private readonly PayeeMetrics _metrics;
    private readonly VelocityGuard _velocity;
    private readonly ChannelTypedData _typedData;
    private readonly Address _contract;
    private readonly ConcurrentDictionary<ChannelKey, ChannelSlot> _slots = new();
    private readonly ConcurrentDictionary<ChannelKey, long> _unknown = new();
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly SemaphoreSlim _refundGate = new(1, 1);
    private GroupCommitWriter? _writer;
    private volatile bool _stopping;

    /// <summary>Creates an engine; call <see cref="StartAsync"/> before submitting.</summary>
    public PayeeEngine(
        IOptions<PayeeOptions> options,
        IVoucherStore store,
        IChannelViewSource source,
        TimeProvider? time = null,
        ILogger<PayeeEngine>? logger = null,
        ReceiptSigner? receipts = null,
        PayeeMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(source);
        _options = options.Value;
        _store = store;
        _source = source;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _receipts = receipts;
        _metrics = metrics ?? new PayeeMetrics();
        _velocity = new VelocityGuard(_options.Velocity);
        _contract = Address.TryParse(_options.Contract, out var contract)
            ? contract
            : throw new ArgumentException($"Payee:Contract must be a 20-byte hex address; got '{_options.Contract}'.", nameof(options));
        _typedData = ChannelTypedData.ForContract(_options.ChainId, _contract);
    }

    /// <summary>
    /// Raised for every newly issued refund, after it was stored (the payee service sends it on the channel's live
    /// streams). Not raised for a repeated request.
    /// </summary>
    public event EventHandler<IssuedRefund>? RefundIssued;

    /// <summary>Raised for every velocity flag (after it was appended to the store).</summary>
    public event EventHandler<VelocityFlag>? FlagRaised;

    /// <summary>The chain id served.</summary>
    public ulong ChainId => _options.ChainId;

    /// <summary>The channel contract served.</summary>
    public Address Contract => _contract;

    /// <summary>The payee address receipts are signed by, or null if this engine signs none.</summary>
    public Address? ReceiptSignerAddress => _receipts?.Payee;

    /// <summary>Channels held in memory.</summary>
    public int ChannelCount => _slots.Count;

    /// <summary>Migrates the store and loads every stored channel and its newest voucher.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                return;
            }

            await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            var newest = (await _store.ListNewestAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(v => v.Key, v => v.Cumulative);
            foreach (var channel in await _store.ListChannelsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (IsServed(channel.View.Key) && !channel.View.Settled)
                {
                    _slots[channel.View.Key] = new ChannelSlot(
                        channel.View, channel.BlockNumber, newest.GetValueOrDefault(channel.View.Key), _typedData);
                }
            }

            foreach (var agreement in await _store.ListCloseAgreementsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_slots.TryGetValue(agreement.Key, out var slot))
                {
                    slot.Agreement = agreement;
                    slot.AgreementDurable = true;
                }
            }

            foreach (var refund in await _store.ListNewestRefundsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_slots.TryGetValue(refund.Key, out var slot))
                {
                    slot.Refund = refund;
                }
            }

            _writer = new GroupCommitWriter(_store, _options.MaxBatchSize, _options.WriteQueueCapacity, _metrics, _logger);
            LogStarted(_logger, _slots.Count, _options.ChainId, _contract);
        }
        finally
        {
            _startGate.Release();
        }
    }

    /// <summary>
    /// Verifies, stores and answers one voucher. Untrusted input never throws: every refusal is a
    /// <see cref="VoucherRejected"/> with its code and nothing changed. Throws only when the store fails (the voucher
    /// was then not acknowledged) or the engine was not started.
    /// </summary>
    public async ValueTask<VoucherOutcome> SubmitAsync(VoucherSubmission submission, CancellationToken cancellationToken = default)
    {
        var outcome = await SubmitCoreAsync(submission, cancellationToken).ConfigureAwait(false);
        _metrics.Outcome(outcome);
        return outcome;
    }

    /// <summary>Loads a channel's confirmed view if it is not held yet; false if no such channel exists.</summary>
    public async ValueTask<bool> TrackAsync(ChannelKey key, CancellationToken cancellationToken = default) =>
        await GetSlotAsync(key, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Applies a newer confirmed view of a channel (a top-up raises the credit at once, a close stops it), stores it,
    /// and wakes waiters. A view older than the one held is ignored.
    /// </summary>
    public async Task ApplyViewAsync(StoredChannel channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var key = channel.View.Key;
        if (!IsServed(key))
        {
            return;
        }

        await _store.SaveChannelAsync(channel, cancellationToken).ConfigureAwait(false);
        var slot = _slots.GetOrAdd(key, _ => new ChannelSlot(channel.View, channel.BlockNumber, BigInteger.Zero, _typedData));
        List<TaskCompletionSource<PayeeCredit>>? ready;
        PayeeCredit credit;
        lock (slot)
        {
            if (channel.BlockNumber >= slot.ViewBlock)
            {
                slot.View = channel.View;
                slot.ViewBlock = channel.BlockNumber;
            }

            ready = slot.TakeReadyWaiters();
            credit = slot.Credit();
        }

        _unknown.TryRemove(key, out _);
        Complete(ready, credit);
        if (channel.View.Settled)
        {
            _velocity.Forget(key);
        }
    }

    /// <summary>Channels held in memory (for a follower that refreshes their views).</summary>
    public IReadOnlyList<ChannelKey> TrackedChannels() => _slots.Keys.ToArray();

    /// <summary>The confirmed view of <paramref name="key"/> (parameters, deposits, close state); null if the channel is not held.</summary>
    public PayeeChannelView? GetView(ChannelKey key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        lock (slot)
        {
            return slot.View;
        }
    }

    /// <summary>
    /// How many vouchers of <paramref name="key"/> this engine accepted and stored since it started (counted in memory:
    /// a restart starts again at 0); null if the channel is not held.
    /// </summary>
    public long? GetAcceptedCount(ChannelKey key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        lock (slot)
        {
            return slot.Accepted;
        }
    }

    /// <summary>What the payer of <paramref name="key"/> has paid and can still pay; null if the channel is not held.</summary>
    public PayeeCredit? GetCredit(ChannelKey key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        lock (slot)
        {
            return slot.Credit();
        }
    }

    /// <summary>
    /// Waits until the newest stored cumulative amount of <paramref name="key"/> is at least <paramref name="amount"/>
    /// (the payer paid for the next unit), or the channel stops extending credit (closing or settled: check
    /// <see cref="PayeeCredit.IsOpen"/>). Returns the credit at that moment.
    /// </summary>
    /// <exception cref="InvalidOperationException">No such channel.</exception>
    public async Task<PayeeCredit> WaitForPaymentAsync(ChannelKey key, BigInteger amount, CancellationToken cancellationToken = default)
    {
        var slot = await GetSlotAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Channel {key} is not known to this payee.");
        var waiter = new TaskCompletionSource<PayeeCredit>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (slot)
        {
            if (slot.Durable >= amount || slot.View.IsClosing || slot.View.Settled)
            {
                return slot.Credit();
            }

            slot.AddWaiter(amount, waiter);
        }

        using var registration = cancellationToken.Register(() =>
        {
            lock (slot)
            {
                slot.RemoveWaiter(waiter);
            }

            waiter.TrySetCanceled(cancellationToken);
        });
        return await waiter.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// A payee-signed receipt for the newest stored amount of a channel; null if this engine has no receipt key or
    /// nothing is stored for the channel.
    /// </summary>
    public PaymentReceipt? SignReceipt(ChannelKey key)
    {
        if (_receipts is null || !_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        BigInteger durable;
        lock (slot)
        {
            durable = slot.Durable;
        }

        return durable.Sign == 0 ? null : _receipts.Sign(key, durable, (ulong)_time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>
    /// Signs a cooperative close of <paramref name="key"/> at the newest durable payer → payee amount (or the amount
    /// already redeemed on chain, if higher) and the newest refund this payee issued (or the payee → payer amount
    /// redeemed on chain, if higher; <see cref="IssueRefundAsync"/>), valid until the engine's clock plus <see cref="PayeeOptions.CloseAgreementValidity"/>.
    /// The agreement is stored before the signature is returned, and from then on until its deadline plus
    /// <see cref="PayeeOptions.CloseAgreementSkewMargin"/> every voucher above the agreed amount is refused with
    /// <see cref="VoucherRejectCode.CloseAgreed"/> (docs/protocol.md, "the client rule"), also after a restart.
    /// Asking again while the agreement is live returns the same agreement; never two live agreements with different
    /// amounts. Untrusted input never throws: refusals are <see cref="CloseAgreementRefused"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine was not started.</exception>
    public async Task<CloseAgreementOutcome> AgreeCloseAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        _ = _writer ?? throw new InvalidOperationException("The payee engine was not started.");
        if (_stopping)
        {
            return new CloseAgreementRefused(CloseAgreementRefusal.Unavailable);
        }

        var slot = IsServed(key) ? await GetSlotAsync(key, cancellationToken).ConfigureAwait(false) : null;
        if (slot is null)
        {
            return new CloseAgreementRefused(CloseAgreementRefusal.UnknownChannel);
        }

        var nowSeconds = (ulong)_time.GetUtcNow().ToUnixTimeSeconds();
        CloseAgreement agreement;
        CloseAgreement? previous;
        lock (slot)
        {
            var view = slot.View;
            if (view.Settled)
            {
                return new CloseAgreementRefused(CloseAgreementRefusal.ChannelSettled);
            }

            if (view.IsClosing)
            {
                return new CloseAgreementRefused(CloseAgreementRefusal.ChannelClosing);
            }

            if (_receipts is null || _receipts.Payee != view.Parameters.Payee)
            {
                return new CloseAgreementRefused(CloseAgreementRefusal.NotPayee);
            }

            var payerToPayee = BigInteger.Max(slot.Durable, view.RedeemedByPayee);

            // The newest refund issued counts like the newest voucher received: the payer holds it and would not sign less.
            var payeeToPayer = BigInteger.Max(view.RedeemedByPayer, slot.Refund?.Cumulative ?? BigInteger.Zero);
            if (slot.Agreement is { } live && live.IsLiveAt(nowSeconds, _options.CloseAgreementSkewMargin))
            {
                if (!slot.AgreementDurable)
                {
                    return new CloseAgreementRefused(CloseAgreementRefusal.WriteInFlight);
                }

                return live.PayerToPayee == payerToPayee && live.PayeeToPayer == payeeToPayer
                    ? new CloseAgreementSigned(live, Repeated: true)
                    : new CloseAgreementRefused(CloseAgreementRefusal.AgreementPending);
            }

            if (slot.Reserved != slot.Durable || slot.RefundInFlight)
            {
                // A higher voucher is being written; an agreement below it would refuse a voucher already acknowledged.
                return new CloseAgreementRefused(CloseAgreementRefusal.WriteInFlight);
            }

            if (payerToPayee.Sign == 0 && payeeToPayer.Sign == 0)
            {
                return new CloseAgreementRefused(CloseAgreementRefusal.NothingToClose);
            }

            var deadline = nowSeconds + (ulong)Math.Ceiling(_options.CloseAgreementValidity.TotalSeconds);
            var signature = _receipts.SignClose(key, payerToPayee, payeeToPayer, deadline);
            agreement = new CloseAgreement(key, payerToPayee, payeeToPayer, deadline, signature.ToRsv());

            // Held before it is stored: vouchers above it are refused from now on, so none is accepted between the
            // write and the answer.
            previous = slot.Agreement;
            slot.Agreement = agreement;
            slot.AgreementDurable = false;
        }

        try
        {
            await _store.SaveCloseAgreementAsync(agreement, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (slot)
            {
                if (ReferenceEquals(slot.Agreement, agreement))
                {
                    slot.Agreement = previous;
                    slot.AgreementDurable = true;
                }
            }

            throw;
        }

        lock (slot)
        {
            slot.AgreementDurable = true;
        }

        LogCloseAgreed(_logger, key, agreement.PayerToPayee, agreement.PayeeToPayer, agreement.Deadline);
        return new CloseAgreementSigned(agreement, Repeated: false);
    }

    /// <summary>
    /// Issues a refund (docs/payee.md, "Refunds"): signs the channel's next cumulative payee → payer voucher (newest refund
    /// + <see cref="RefundRequest.Amount"/>) with the payee's key in the contract's EIP-712 domain, bounded by the payee's
    /// confirmed deposit, only while the channel is open and no close agreement is live. The refund is stored before it
    /// is returned (and before <see cref="RefundIssued"/> hands it to the payer's streams). A repeat with the same
    /// idempotency key and amount returns the refund already signed (<see cref="RefundIssued.Repeated"/>), also after the
    /// channel closed; with another amount it is refused. Untrusted input never throws: refusals are
    /// <see cref="RefundRefused"/> and change nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine was not started.</exception>
    public async Task<RefundIssueOutcome> IssueRefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = _writer ?? throw new InvalidOperationException("The payee engine was not started.");
        if (_stopping)
        {
            return new RefundRefused(RefundRefusal.Unavailable, BigInteger.Zero);
        }

        if (!RefundRequest.IsValidIdempotencyKey(request.IdempotencyKey))
        {
            return new RefundRefused(RefundRefusal.BadIdempotencyKey, BigInteger.Zero);
        }

        var key = request.Key;
        var slot = IsServed(key) ? await GetSlotAsync(key, cancellationToken).ConfigureAwait(false) : null;
        if (slot is null)
        {
            return new RefundRefused(RefundRefusal.UnknownChannel, BigInteger.Zero);
        }

        // Refunds are rare operator actions: one at a time per engine keeps the chain of refunds simple to reason about.
        await _refundGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var earlier = await _store.GetRefundAsync(key, request.IdempotencyKey, cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                return earlier.Amount == request.Amount
                    ? new RefundIssued(earlier, Repeated: true)
                    : new RefundRefused(RefundRefusal.IdempotencyConflict, NewestRefund(slot));
            }

            var now = _time.GetUtcNow();
            IssuedRefund refund;
            lock (slot)
            {
                var view = slot.View;
                var previous = slot.Refund?.Cumulative ?? BigInteger.Zero;
                RefundRefusal? refusal =
                    request.Amount.Sign <= 0 ? RefundRefusal.Zero
                    : view.Settled || view.IsClosing ? RefundRefusal.NotOpen
                    : _receipts is null || _receipts.Payee != view.Parameters.Payee ? RefundRefusal.NotPayee
                    : slot.Agreement is { } live && live.IsLiveAt((ulong)now.ToUnixTimeSeconds(), _options.CloseAgreementSkewMargin) ? RefundRefusal.CloseAgreed
                    : previous + request.Amount > view.PayeeDeposit ? RefundRefusal.ExceedsPayeeDeposit
                    : null;
                if (refusal is { } reason)
                {
                    return new RefundRefused(reason, previous);
                }

                var cumulative = previous + request.Amount;
                var signature = _receipts!.SignRefund(key, cumulative);
                refund = new IssuedRefund(key, request.IdempotencyKey, previous, cumulative, signature.ToRsv(), now);
                slot.RefundInFlight = true;
            }

            bool stored;
            try
            {
                stored = await _store.SaveRefundAsync(refund, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (slot)
                {
                    slot.RefundInFlight = false;
                }
            }

            if (!stored)
            {
                // Another instance extended the same refund, or used this idempotency key, meanwhile.
                var newest = await _store.GetNewestRefundAsync(key, cancellationToken).ConfigureAwait(false);
                lock (slot)
                {
                    slot.Refund = newest;
                }

                var raced = await _store.GetRefundAsync(key, request.IdempotencyKey, cancellationToken).ConfigureAwait(false);
                return raced is null ? new RefundRefused(RefundRefusal.Conflict, newest?.Cumulative ?? BigInteger.Zero)
                    : raced.Amount == request.Amount ? new RefundIssued(raced, Repeated: true)
                    : new RefundRefused(RefundRefusal.IdempotencyConflict, newest?.Cumulative ?? BigInteger.Zero);
            }

            lock (slot)
            {
                slot.Refund = refund;
            }

            LogRefundIssued(_logger, key, refund.Amount, refund.Cumulative);
            RefundIssued?.Invoke(this, refund);
            return new RefundIssued(refund, Repeated: false);
        }
        finally
        {
            _refundGate.Release();
        }
    }

    /// <summary>The newest refund this payee issued for <paramref name="key"/>; null if none or the channel is not held.</summary>
    public IssuedRefund? GetNewestRefund(ChannelKey key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        lock (slot)
        {
            return slot.Refund;
        }
    }

    /// <summary>The newest close agreement the payee signed for <paramref name="key"/> (live or expired); null if none or the channel is not held.</summary>
    public CloseAgreement? GetCloseAgreement(ChannelKey key)
    {
        if (!_slots.TryGetValue(key, out var slot))
        {
            return null;
        }

        lock (slot)
        {
            return slot.AgreementDurable ? slot.Agreement : null;
        }
    }

    /// <summary>The velocity flags raised at or after <paramref name="since"/> (from the store: every instance's).</summary>
    public Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        _store.ListFlagsAsync(since, cancellationToken);

    /// <summary>
    /// Stops taking vouchers (new ones are refused with <see cref="VoucherRejectCode.Unavailable"/>) and waits until
    /// every voucher already queued is written: a graceful shutdown never drops an acknowledged write.
    /// </summary>
    public async Task StopAsync()
    {
        _stopping = true;
        if (_writer is { } writer)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        LogStopped(_logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _startGate.Dispose();
        _refundGate.Dispose();
    }

    private async ValueTask<VoucherOutcome> SubmitCoreAsync(VoucherSubmission submission, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException("The payee engine was not started.");
        if (_stopping)
        {
            return new VoucherRejected(VoucherRejectCode.Unavailable, BigInteger.Zero);
        }

        var key = submission.Key;
        if (key.ChainId != _options.ChainId)
        {
            return new VoucherRejected(VoucherRejectCode.WrongChain, BigInteger.Zero);
        }

        if (key.Contract != _contract)
        {
            return new VoucherRejected(VoucherRejectCode.WrongContract, BigInteger.Zero);
        }

        var slot = await GetSlotAsync(key, cancellationToken).ConfigureAwait(false);
        if (slot is null)
        {
            return new VoucherRejected(VoucherRejectCode.UnknownChannel, BigInteger.Zero);
        }

        var now = _time.GetUtcNow();
        PayeeChannelView view;
        BigInteger reserved;
        lock (slot)
        {
            view = slot.View;
            reserved = slot.Reserved;
        }

        // The signature is recovered outside the lock: other vouchers of the channel need not wait for it.
        var verdict = VoucherVerifier.Verify(submission, view, reserved, _typedData, VoucherDirection.PayerToPayee, now, _options.DeadlineMargin);
        if (verdict.Code is { } code)
        {
            return Rejected(slot, code);
        }

        var amount = submission.CumulativeAmount;
        if (!verdict.IsDuplicate)
        {
            IReadOnlyList<VelocityFlag> flags = [];
            lock (slot)
            {
                if (slot.Agreement is { } agreement && amount > agreement.PayerToPayee
                    && agreement.IsLiveAt((ulong)now.ToUnixTimeSeconds(), _options.CloseAgreementSkewMargin))
                {
                    return new VoucherRejected(VoucherRejectCode.CloseAgreed, slot.Durable);
                }

                if (amount < slot.Reserved)
                {
                    // A higher voucher of the channel was reserved while this one was being verified.
                    return new VoucherRejected(VoucherRejectCode.Stale, slot.Durable);
                }

                if (amount > slot.Reserved)
                {
                    if (!_velocity.TryAdmit(key, view.Parameters.Payer, verdict.Increment, now, out flags))
                    {
                        RaiseFlags(flags);
                        return new VoucherRejected(VoucherRejectCode.VelocityLimit, slot.Durable);
                    }

                    slot.Reserved = amount;
                }
            }

            RaiseFlags(flags);
        }
        else
        {
            lock (slot)
            {
                if (amount <= slot.Durable)
                {
                    return new VoucherDuplicate(slot.Durable);
                }
            }
        }

        var stored = new StoredVoucher(key, view.Parameters.Payer, amount, verdict.Signature.ToRsv(), now);
        VoucherWriteResult result;
        try
        {
            result = await writer.WriteAsync(stored, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (slot)
            {
                if (slot.Reserved == amount)
                {
                    slot.Reserved = slot.Durable;
                }
            }

            throw;
        }

        List<TaskCompletionSource<PayeeCredit>>? ready;
        PayeeCredit credit;
        lock (slot)
        {
            if (result.Stored > slot.Durable)
            {
                slot.Durable = result.Stored;
            }

            if (slot.Durable > slot.Reserved)
            {
                slot.Reserved = slot.Durable;
            }

            if (result.Applied)
            {
                slot.Accepted++;
            }

            ready = slot.TakeReadyWaiters();
            credit = slot.Credit();
        }

        Complete(ready, credit);
        if (result.Applied)
        {
            return new VoucherAccepted(amount, amount - BigInteger.Max(result.Previous, view.RedeemedByPayee));
        }

        // Another instance (or an earlier copy of this voucher) stored this amount or a higher one first.
        return result.Stored == amount
            ? new VoucherDuplicate(amount)
            : new VoucherRejected(VoucherRejectCode.Stale, result.Stored);
    }

    private static VoucherRejected Rejected(ChannelSlot slot, VoucherRejectCode code)
    {
        lock (slot)
        {
            return new VoucherRejected(code, slot.Durable);
        }
    }

    private async ValueTask<ChannelSlot?> GetSlotAsync(ChannelKey key, CancellationToken cancellationToken)
    {
        if (_slots.TryGetValue(key, out var slot))
        {
            return slot;
        }

        if (!IsServed(key))
        {
            return null;
        }

        var nowTicks = _time.GetTimestamp();
        if (_unknown.TryGetValue(key, out var since) && _time.GetElapsedTime(since, nowTicks) < _options.UnknownChannelCacheTime)
        {
            return null;
        }

        var channel = await _source.GetConfirmedAsync(key, cancellationToken).ConfigureAwait(false);
        if (channel is null || channel.View.Key != key || channel.View.Settled)
        {
            if (_unknown.Count > 100_000)
            {
                _unknown.Clear();
            }

            _unknown[key] = nowTicks;
            return null;
        }

        await _store.SaveChannelAsync(channel, cancellationToken).ConfigureAwait(false);
        var newest = await _store.GetNewestAsync(key, cancellationToken).ConfigureAwait(false);
        var created = new ChannelSlot(channel.View, channel.BlockNumber, newest?.Cumulative ?? BigInteger.Zero, _typedData)
        {
            Refund = await _store.GetNewestRefundAsync(key, cancellationToken).ConfigureAwait(false),
        };
        return _slots.GetOrAdd(key, created);
    }

    private static BigInteger NewestRefund(ChannelSlot slot)
    {
        lock (slot)
        {
            return slot.Refund?.Cumulative ?? BigInteger.Zero;
        }
    }

    private bool IsServed(ChannelKey key) => key.ChainId == _options.ChainId && key.Contract == _contract;

    private void RaiseFlags(IReadOnlyList<VelocityFlag> flags)
    {
        foreach (var flag in flags)
        {
            LogFlag(_logger, flag.Rule, flag.Key, flag.Payer, flag.Observed, flag.Threshold, flag.Refused);
            _ = AppendFlagAsync(flag);
        }
    }

    private async Task AppendFlagAsync(VelocityFlag flag)
    {
        try
        {
            await _store.AppendFlagAsync(flag).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A flag that cannot be stored is logged; the voucher's outcome does not depend on it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFlagNotStored(_logger, flag.Rule, flag.Key, ex);
        }

        FlagRaised?.Invoke(this, flag);
    }

    private static void Complete(List<TaskCompletionSource<PayeeCredit>>? ready, PayeeCredit credit)
    {
        if (ready is null)
        {
            return;
        }

        foreach (var waiter in ready)
        {
            waiter.TrySetResult(credit);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Payee engine started with {Channels} stored channels on chain {ChainId}, contract {Contract}")]
    private static partial void LogStarted(ILogger logger, int channels, ulong chainId, Address contract);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Payee engine stopped; every queued voucher was written")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Velocity flag {Rule} on channel {Channel} (payer {Payer}): observed {Observed} above {Limit}; refused: {Refused}")]
    private static partial void LogFlag(ILogger logger, VelocityRule rule, ChannelKey channel, Address payer, BigInteger observed, BigInteger limit, bool refused);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Close agreement signed for channel {Channel}: payer to payee {PayerToPayee}, payee to payer {PayeeToPayer}, deadline {Deadline}")]
    private static partial void LogCloseAgreed(ILogger logger, ChannelKey channel, BigInteger payerToPayee, BigInteger payeeToPayer, ulong deadline);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Refund issued for channel {Channel}: {Amount} more, {Cumulative} in total")]
    private static partial void LogRefundIssued(ILogger logger, ChannelKey channel, BigInteger amount, BigInteger cumulative);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Velocity flag {Rule} on channel {Channel} could not be stored")]
    private static partial void LogFlagNotStored(ILogger logger, VelocityRule rule, ChannelKey channel, Exception exception);
}
