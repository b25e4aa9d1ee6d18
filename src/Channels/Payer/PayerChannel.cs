using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Delivery;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer;

/// <summary>
/// One of the payer's channels: signs the next cumulative voucher, stores it durably before it leaves the process,
/// delivers it to the payee (or hands it to the caller), keeps acknowledgements, receipts and refunds, and closes.
/// Get one from <see cref="PayerClient"/> (one instance per channel, shared by every caller). Thread-safe: concurrent
/// <see cref="PayAsync"/> calls each get their own cumulative amount, the amounts add up exactly and each voucher's
/// cumulative is above the previous one's.
/// </summary>
public sealed class PayerChannel
{
    private readonly PayerClient _client;
    private readonly object _gate = new();
    private PayerChannelRecord _record;
    private BigInteger _reserved;          // the highest cumulative amount handed to a signer (≥ durable)
    private SignedVoucher? _durable;       // the highest voucher known to be on disk
    private BigInteger _acknowledged;
    private SignedVoucher? _refund;
    private PayerReceipt? _receipt;
    private Exception? _fault;
    private int _retryScheduled;
    private (BigInteger Amount, Task<PaymentOutcome> Task)? _resend;

    internal PayerChannel(PayerClient client, StoredPayerChannel stored, PayerReceipt? newestReceipt, PayeeLink? link)
    {
        _client = client;
        _record = stored.Record;
        _durable = stored.Signed;
        _reserved = stored.SignedAmount;
        _acknowledged = stored.Acknowledged;
        _refund = stored.Refund;
        _receipt = newestReceipt;
        Link = link;
        Key = stored.Record.Key;
        Parameters = stored.Record.Parameters;
    }

    /// <summary>Chain id, contract and channel id.</summary>
    public ChannelKey Key { get; }

    /// <summary>The channel id.</summary>
    public ChannelId Id => Key.ChannelId;

    /// <summary>The channel's parameters.</summary>
    public ChannelParameters Parameters { get; }

    /// <summary>The payer's deposit as last read from the chain (the most the payer signs).</summary>
    public BigInteger Deposit
    {
        get
        {
            lock (_gate)
            {
                return _record.Deposit;
            }
        }
    }

    /// <summary>The payee's deposit as last read from the chain (the most a refund may carry).</summary>
    public BigInteger PayeeDeposit
    {
        get
        {
            lock (_gate)
            {
                return _record.PayeeDeposit;
            }
        }
    }

    /// <summary>Open, closing or closed.</summary>
    public PayerChannelStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _record.Status;
            }
        }
    }

    /// <summary>The newest cumulative amount signed (and therefore stored, or being stored).</summary>
    public BigInteger Signed
    {
        get
        {
            lock (_gate)
            {
                return _reserved;
            }
        }
    }

    /// <summary>The newest cumulative amount the payee acknowledged holding.</summary>
    public BigInteger Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _acknowledged;
            }
        }
    }

    /// <summary>Signed but not acknowledged: what the payee could hold that the payer has no confirmation of.</summary>
    public BigInteger Exposure
    {
        get
        {
            lock (_gate)
            {
                return _reserved - _acknowledged;
            }
        }
    }

    /// <summary>What can still be signed: deposit − signed.</summary>
    public BigInteger Remaining
    {
        get
        {
            lock (_gate)
            {
                return BigInteger.Max(BigInteger.Zero, _record.Deposit - _reserved);
            }
        }
    }

    /// <summary>The newest voucher known to be stored durably, or null.</summary>
    public SignedVoucher? NewestVoucher
    {
        get
        {
            lock (_gate)
            {
                return _durable;
            }
        }
    }

    /// <summary>The newest refund voucher (payee → payer) accepted, or null.</summary>
    public SignedVoucher? NewestRefund
    {
        get
        {
            lock (_gate)
            {
                return _refund;
            }
        }
    }

    /// <summary>The newest verified receipt, or null.</summary>
    public PayerReceipt? NewestReceipt
    {
        get
        {
            lock (_gate)
            {
                return _receipt;
            }
        }
    }

    /// <summary>The payee's stream, when vouchers are delivered over one.</summary>
    internal PayeeLink? Link { get; }

    /// <summary>The client this channel belongs to (its store, for durable meters).</summary>
    internal PayerClient Client => _client;

    // ------------------------------------------------------------------ paying

    /// <summary>
    /// Signs the next cumulative voucher (signed + <paramref name="increment"/>) and stores it durably, without
    /// delivering it: for a caller that carries vouchers itself (the HTTP 402 handler puts it in a header). A refusal
    /// is <see cref="PaymentRefused"/> and changes nothing.
    /// </summary>
    /// <returns><see cref="PaymentSigned"/> or <see cref="PaymentRefused"/>.</returns>
    /// <exception cref="InvalidOperationException">An earlier store write failed: reopen the channel from the store.</exception>
    public async Task<PaymentOutcome> TrySignNextAsync(BigInteger increment, CancellationToken cancellationToken = default)
    {
        BigInteger cumulative;
        lock (_gate)
        {
            ThrowIfFaulted();
            if (Refuse(increment) is { } refused)
            {
                return refused;
            }

            cumulative = _reserved + increment;
            _reserved = cumulative;
        }

        // Deterministic signatures (RFC 6979): signing the same amount again after a crash gives the same bytes, so a
        // cumulative amount never has two different vouchers.
        var signature = _client.Contract.Domain.TypedData.SignVoucher(_client.Key, Id.Bytes, cumulative);
        var voucher = new SignedVoucher(new Voucher(Id, cumulative), signature);
        try
        {
            await _client.Batcher.WriteAsync(new PayerVoucherWrite(Key, voucher, null)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reserved amount may be above what is on disk now; refuse to go on from a state the store does not
            // have (a reload starts from the store, which never holds less than any voucher that left the process).
            lock (_gate)
            {
                _fault ??= ex;
            }

            throw new InvalidOperationException($"Channel {Key}: the voucher store failed; reopen the channel.", ex);
        }

        lock (_gate)
        {
            if (_durable is null || _durable.Voucher.CumulativeAmount < cumulative)
            {
                _durable = voucher;
            }
        }

        return new PaymentSigned(voucher);
    }

    /// <summary>
    /// <see cref="TrySignNextAsync"/> for callers that treat a refusal as an error.
    /// </summary>
    /// <exception cref="PaymentRefusedException">The payer refused (the exception carries the <see cref="PaymentRefused"/>).</exception>
    public async Task<SignedVoucher> SignNextAsync(BigInteger increment, CancellationToken cancellationToken = default) =>
        await TrySignNextAsync(increment, cancellationToken).ConfigureAwait(false) switch
        {
            PaymentSigned signed => signed.Voucher,
            PaymentRefused refused => throw new PaymentRefusedException(refused),
            var other => throw new InvalidOperationException($"Unexpected outcome {other}."),
        };

    /// <summary>
    /// Pays <paramref name="amount"/> more: signs and stores the next cumulative voucher, then delivers it over the
    /// payee's stream. Offline, the voucher stays queued (durably) and the newest is sent on reconnect.
    /// </summary>
    /// <returns>
    /// <see cref="PaymentDelivered"/>, <see cref="PaymentQueued"/>, <see cref="PaymentRejected"/>,
    /// <see cref="PaymentRefused"/>, or <see cref="PaymentSigned"/> when the channel has no payee stream.
    /// </returns>
    public async Task<PaymentOutcome> PayAsync(BigInteger amount, CancellationToken cancellationToken = default)
    {
        var outcome = await TrySignNextAsync(amount, cancellationToken).ConfigureAwait(false);
        if (outcome is not PaymentSigned signed || Link is null)
        {
            return outcome;
        }

        return await DeliverAsync(signed.Voucher, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the newest stored voucher if the payee has not acknowledged it (after a reconnect, a restart or an
    /// <c>Unavailable</c> answer). True when the payee holds the newest voucher afterwards.
    /// </summary>
    public async Task<bool> DeliverPendingAsync(CancellationToken cancellationToken = default)
    {
        SignedVoucher? newest;
        lock (_gate)
        {
            newest = _durable;
            if (newest is null || newest.Voucher.CumulativeAmount <= _acknowledged)
            {
                return true;
            }
        }

        if (Link is null)
        {
            return false;
        }

        // One resend of a given voucher at a time: a reconnect and a flush racing each other share it, so only one copy
        // crosses a slow link.
        Task<PaymentOutcome> delivery;
        lock (_gate)
        {
            if (_resend is { } running && running.Amount == newest.Voucher.CumulativeAmount && !running.Task.IsCompleted)
            {
                delivery = running.Task;
            }
            else
            {
                delivery = DeliverAsync(newest, CancellationToken.None);
                _resend = (newest.Voucher.CumulativeAmount, delivery);
            }
        }

        var outcome = await delivery.WaitAsync(cancellationToken).ConfigureAwait(false);
        return outcome is PaymentDelivered;
    }

    /// <summary>
    /// Waits until the payee acknowledged the newest stored voucher, resending it after each reconnect; for a clean
    /// hand-over (before closing, at the end of a session, in tests).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (!await DeliverPendingAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(_client.Options.RetryDelay, _client.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ acknowledgements and receipts

    /// <summary>
    /// Records an acknowledgement that reached the payer (over the stream, or by another route such as an HTTP 402
    /// response). The acknowledged amount is what the payee says it stores, never more than the payer signed.
    /// </summary>
    public async Task<ReceiptVerdict> RecordAcknowledgementAsync(AckFrame ack, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.ChannelId != Id)
        {
            return ReceiptVerdict.WrongChannel;
        }

        var held = ack.Outcome is AckOutcome.Accepted or AckOutcome.Duplicate ? ack.SubmittedAmount : ack.StoredAmount;
        return await RaiseAcknowledgedAsync(held, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies a RECEIPT frame against the payee's receipt signer and keeps it (also counts as an acknowledgement).</summary>
    public Task<ReceiptVerdict> RecordReceiptAsync(ReceiptFrame receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (!EcdsaSignature.TryParseRsv(receipt.Signature.Span, out var signature))
        {
            return Task.FromResult(ReceiptVerdict.WrongSigner);
        }

        return RecordReceiptAsync(new PaymentReceipt(new ChannelKey(Key.ChainId, Key.Contract, receipt.ChannelId), receipt.CumulativeAmount, receipt.IssuedAt, signature), cancellationToken);
    }

    /// <summary>Verifies a payee receipt (e.g. from an HTTP response header) and keeps it.</summary>
    public async Task<ReceiptVerdict> RecordReceiptAsync(PaymentReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Key != Key)
        {
            return ReceiptVerdict.WrongChannel;
        }

        if (!receipt.IsSignedBy(_client.Options.ReceiptSigner ?? Parameters.Payee))
        {
            return ReceiptVerdict.WrongSigner;
        }

        lock (_gate)
        {
            if (receipt.Cumulative > _reserved)
            {
                return ReceiptVerdict.AboveSigned;
            }

            if (_receipt is { } newest && newest.Cumulative >= receipt.Cumulative)
            {
                return ReceiptVerdict.NotNewer;
            }
        }

        var kept = new PayerReceipt(Key, receipt.Cumulative, receipt.IssuedAt, receipt.Signature, _client.Options.TimeProvider.GetUtcNow());
        await _client.Store.AppendReceiptAsync(kept, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_receipt is null || _receipt.Cumulative < kept.Cumulative)
            {
                _receipt = kept;
            }
        }

        await RaiseAcknowledgedAsync(receipt.Cumulative, cancellationToken).ConfigureAwait(false);
        return ReceiptVerdict.Stored;
    }

    /// <summary>Asks the payee for a signed receipt of what it stores now and keeps it; null if unreachable or none.</summary>
    public async Task<PayerReceipt?> RequestReceiptAsync(CancellationToken cancellationToken = default)
    {
        if (Link is null || await Link.TryRequestReceiptAsync(Id, cancellationToken).ConfigureAwait(false) is not { } frame)
        {
            return null;
        }

        await RecordReceiptAsync(frame, cancellationToken).ConfigureAwait(false);
        return NewestReceipt;
    }

    // ------------------------------------------------------------------ refunds

    /// <summary>
    /// Accepts a refund voucher the payee signed (payee → payer, paid from the payee's deposit, docs/protocol.md):
    /// checked for this channel, the payee's signature in this contract's domain, newer than the stored one and within
    /// the payee's deposit; the newest is stored.
    /// </summary>
    public async Task<RefundOutcome> AcceptRefundAsync(SignedVoucher refund, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var amount = refund.Voucher.CumulativeAmount;
        BigInteger stored;
        lock (_gate)
        {
            stored = _refund?.Voucher.CumulativeAmount ?? BigInteger.Zero;
        }

        if (refund.Voucher.ChannelId != Id)
        {
            return new RefundOutcome(RefundVerdict.WrongChannel, stored);
        }

        if (!refund.Voucher.TryRecoverSigner(_client.Contract.Domain, refund.Signature, out var signer) || signer != Parameters.Payee)
        {
            return new RefundOutcome(RefundVerdict.WrongSigner, stored);
        }

        if (amount.IsZero)
        {
            return new RefundOutcome(RefundVerdict.Zero, stored);
        }

        if (amount == stored)
        {
            return new RefundOutcome(RefundVerdict.Duplicate, stored);
        }

        if (amount < stored)
        {
            return new RefundOutcome(RefundVerdict.Stale, stored);
        }

        if (amount > PayeeDeposit)
        {
            return new RefundOutcome(RefundVerdict.ExceedsPayeeDeposit, stored);
        }

        if (!await _client.Store.SaveRefundAsync(Key, refund, cancellationToken).ConfigureAwait(false))
        {
            // Another instance stored a higher one meanwhile; report where the store stands.
            var now = await _client.Store.GetChannelAsync(Key, cancellationToken).ConfigureAwait(false);
            return new RefundOutcome(RefundVerdict.Stale, now?.Refund?.Voucher.CumulativeAmount ?? stored);
        }

        lock (_gate)
        {
            if (_refund is null || _refund.Voucher.CumulativeAmount < amount)
            {
                _refund = refund;
            }
        }

        return new RefundOutcome(RefundVerdict.Accepted, amount);
    }

    // ------------------------------------------------------------------ chain

    /// <summary>
    /// Reads the channel's deposits and close state from the chain and stores them. The close state (and the returned
    /// <see cref="ChannelState"/>) is the newest block's; the deposits that <see cref="Deposit"/>, <see cref="Remaining"/>,
    /// payments and refunds rely on are read <see cref="PayerClientOptions.DepositConfirmations"/> blocks below it, so a
    /// deposit or top-up counts only once it is that deep (a reorg that drops it lowers them again).
    /// </summary>
    public async Task<ChannelState> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var state = await _client.Contract.GetStateAsync(Id, null, cancellationToken).ConfigureAwait(false);
        var (deposit, payeeDeposit) = state.Exists
            ? await _client.ReadConfirmedDepositsAsync(Id, state, cancellationToken).ConfigureAwait(false)
            : (BigInteger.Zero, BigInteger.Zero);
        PayerChannelRecord record;
        lock (_gate)
        {
            var status = !state.Exists ? PayerChannelStatus.Closed : state.IsClosing ? PayerChannelStatus.Closing : PayerChannelStatus.Open;
            _record = _record with
            {
                Deposit = state.Exists ? deposit : _record.Deposit,
                PayeeDeposit = state.Exists ? payeeDeposit : _record.PayeeDeposit,
                Status = (PayerChannelStatus)Math.Max((int)_record.Status, (int)status),
            };
            record = _record;
        }

        await _client.Store.SaveChannelAsync(record, cancellationToken).ConfigureAwait(false);
        return state;
    }

    /// <summary>
    /// Reads the chain every <see cref="PayerClientOptions.DepositPollInterval"/> (on the client's
    /// <see cref="PayerClientOptions.TimeProvider"/>) until the deposit the payer may rely on (<see cref="Deposit"/>, read
    /// <see cref="PayerClientOptions.DepositConfirmations"/> blocks deep) is at least <paramref name="atLeast"/>: after a
    /// top-up with confirmations set, this is how the app learns it counts. True once it does (at once if it already
    /// does); false when the channel is closing or gone, since no deposit will count then. Bound the wait with
    /// <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<bool> WaitForDepositAsync(BigInteger atLeast, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var state = await RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (!state.Exists || state.IsClosing)
            {
                return false;
            }

            if (Deposit >= atLeast)
            {
                return true;
            }

            await Task.Delay(_client.Options.DepositPollInterval, _client.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds <paramref name="amount"/> to the payer's deposit, sent by <paramref name="funder"/> (the platform after a
    /// bank top-up) or the client's transactor; an ERC-20 amount is approved first unless <paramref name="funding"/>
    /// says the allowance exists. The new deposit is read back from the chain (<see cref="RefreshAsync"/>; with
    /// <see cref="PayerClientOptions.DepositConfirmations"/> the top-up counts once it is that deep: refresh again then).
    /// Returns the newest block's deposit.
    /// </summary>
    public async Task<BigInteger> TopUpAsync(
        BigInteger amount, IContractTransactor? funder = null, ChannelFunding funding = ChannelFunding.Approve, CancellationToken cancellationToken = default)
    {
        if (amount.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "A top-up adds a positive amount.");
        }

        var sender = funder ?? _client.RequireTransactor();
        if (Parameters.Token != Ethereum.Addresses.Address.Zero && funding == ChannelFunding.Approve)
        {
            await _client.ApproveAsync(sender, Parameters.Token, amount, cancellationToken).ConfigureAwait(false);
        }

        await _client.Contract.TopUpAsync(sender, Parameters, amount, cancellationToken).ConfigureAwait(false);
        var state = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return state.PayerDeposit;
    }

    /// <summary>
    /// The final state a cooperative close would pay: the newest signed voucher and the newest refund, as a close
    /// agreement the contract accepts until <paramref name="deadline"/> (unix seconds, inclusive). Both parties sign
    /// the same deadline; the payee accepts no voucher above its total until then (docs/protocol.md, "Close agreements").
    /// </summary>
    public CooperativeCloseState CloseState(ulong deadline)
    {
        var (toPayee, toPayer) = Totals();
        return new CooperativeCloseState(Id, toPayee, toPayer, deadline);
    }

    private (BigInteger ToPayee, BigInteger ToPayer) Totals()
    {
        lock (_gate)
        {
            return (_durable?.Voucher.CumulativeAmount ?? BigInteger.Zero, _refund?.Voucher.CumulativeAmount ?? BigInteger.Zero);
        }
    }

    /// <summary>The payer's signature over <paramref name="state"/> (to send to the payee, who co-signs).</summary>
    public EcdsaSignature SignClose(CooperativeCloseState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Sign(_client.Key, _client.Contract.Domain);
    }

    /// <summary>
    /// Closes the channel: cooperatively at once when <paramref name="payeeSignature"/> is the payee's signature over
    /// <see cref="CloseState"/> with <paramref name="closeDeadline"/>, else by starting a unilateral close (settle with
    /// <see cref="SettleAsync"/> after the challenge period). Signing stops first either way.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A payee signature without its agreement's deadline.</exception>
    public async Task<CloseOutcome> CloseAsync(
        EcdsaSignature? payeeSignature = null, ulong closeDeadline = 0, IContractTransactor? sender = null, CancellationToken cancellationToken = default)
    {
        if (payeeSignature is not null && closeDeadline == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(closeDeadline), "A cooperative close needs the deadline of the agreement the payee signed.");
        }

        var (toPayee, toPayer) = Totals();
        if (payeeSignature is { } theirs)
        {
            var state = new CooperativeCloseState(Id, toPayee, toPayer, closeDeadline);
            if (!state.TryRecoverSigner(_client.Contract.Domain, theirs, out var signer) || signer != Parameters.Payee)
            {
                return new CloseOutcome(CloseResult.WrongPayeeSignature, state.PayerToPayee, state.PayeeToPayer, 0);
            }

            await StopSigningAsync(PayerChannelStatus.Closing, cancellationToken).ConfigureAwait(false);
            var mine = SignClose(state);
            await _client.Contract.CooperativeCloseAsync(sender ?? _client.RequireTransactor(), Parameters, state, mine, theirs, cancellationToken).ConfigureAwait(false);
            await StopSigningAsync(PayerChannelStatus.Closed, cancellationToken).ConfigureAwait(false);
            return new CloseOutcome(CloseResult.Settled, state.PayerToPayee, state.PayeeToPayer, 0);
        }

        var chain = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (!chain.Exists)
        {
            return new CloseOutcome(CloseResult.AlreadySettled, toPayee, toPayer, 0);
        }

        await StopSigningAsync(PayerChannelStatus.Closing, cancellationToken).ConfigureAwait(false);
        if (!chain.IsClosing)
        {
            var transactor = sender ?? _client.RequireTransactor();
            if (NewestRefund is { } refund && refund.Voucher.CumulativeAmount > chain.RedeemedByPayer)
            {
                // The payer's side of the challenge: its refund is redeemed in the same transaction.
                await _client.Contract.StartCloseWithVoucherAsync(transactor, Parameters, refund, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _client.Contract.StartCloseAsync(transactor, Parameters, cancellationToken).ConfigureAwait(false);
            }

            chain = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return new CloseOutcome(CloseResult.Closing, toPayee, toPayer, chain.CloseDeadline);
    }

    /// <summary>
    /// Asks the payee service for its close agreement (<paramref name="payee"/>) and closes cooperatively with it
    /// (<see cref="CloseAsync"/> with its signature and deadline). If the payee refuses, nothing is sent and the result is
    /// <see cref="CloseResult.PayeeRefused"/> (ask <paramref name="payee"/> directly for the reason); if its agreement is
    /// not over this channel's newest state, <see cref="CloseResult.WrongPayeeSignature"/>.
    /// </summary>
    public async Task<CloseOutcome> CloseWithPayeeAsync(
        PayeeCloseAgreementClient payee, IContractTransactor? sender = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payee);
        var answer = await payee.RequestAsync(Key, cancellationToken).ConfigureAwait(false);
        if (answer is not PayeeAgreedClose agreed)
        {
            var (toPayee, toPayer) = Totals();
            return new CloseOutcome(CloseResult.PayeeRefused, toPayee, toPayer, 0);
        }

        return await CloseAsync(agreed.PayeeSignature, agreed.State.Deadline, sender, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers the payee's cooperative idle-close request (docs/payer.md, "When the payee asks to close"): if the payee
    /// service asks to close this channel, closes with its agreement as <see cref="CloseWithPayeeAsync"/> does; otherwise
    /// nothing is sent and the result is <see cref="CloseResult.NotRequested"/>. A payer that never answers is closed by
    /// the payee unilaterally after the payee's grace period (its newest voucher redeemed, the rest back after the
    /// challenge period).
    /// </summary>
    public async Task<CloseOutcome> CloseIfPayeeRequestsAsync(
        PayeeCloseAgreementClient payee, IContractTransactor? sender = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payee);
        if (await payee.GetCloseRequestAsync(Key, cancellationToken).ConfigureAwait(false) is null)
        {
            var (toPayee, toPayer) = Totals();
            return new CloseOutcome(CloseResult.NotRequested, toPayee, toPayer, 0);
        }

        return await CloseWithPayeeAsync(payee, sender, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settles a closing channel once the chain's time is past its deadline; before that nothing is sent.</summary>
    public async Task<CloseOutcome> SettleAsync(IContractTransactor? sender = null, CancellationToken cancellationToken = default)
    {
        var (toPayee, toPayer) = Totals();
        var chain = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (!chain.Exists)
        {
            return new CloseOutcome(CloseResult.AlreadySettled, toPayee, toPayer, 0);
        }

        if (!chain.IsClosing)
        {
            return new CloseOutcome(CloseResult.NotClosing, toPayee, toPayer, 0);
        }

        var head = await _client.Rpc.GetBlockByNumberAsync(BlockParameter.Latest, cancellationToken).ConfigureAwait(false);
        if (head is null || head.Timestamp <= chain.CloseDeadline)
        {
            return new CloseOutcome(CloseResult.ChallengePeriodActive, toPayee, toPayer, chain.CloseDeadline);
        }

        await _client.Contract.SettleAsync(sender ?? _client.RequireTransactor(), Parameters, cancellationToken).ConfigureAwait(false);
        await StopSigningAsync(PayerChannelStatus.Closed, cancellationToken).ConfigureAwait(false);
        return new CloseOutcome(CloseResult.Settled, toPayee, toPayer, chain.CloseDeadline);
    }

    /// <inheritdoc />
    public override string ToString() => $"payer channel {Key}";

    // ------------------------------------------------------------------ internals

    internal async Task OnConnectedAsync()
    {
        try
        {
            await DeliverPendingAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // A faulted channel delivers nothing until reopened.
        }
    }

    /// <summary>
    /// After the payee stream (re)connected: delivers what is pending; when nothing is (the payee would not hear of this
    /// channel on the new connection), an open channel the payee holds vouchers of asks for a receipt, so the payee also
    /// sends its newest refund (docs/protocol.md, "Refunds"): a payer that was offline or restarted gets it.
    /// </summary>
    internal async Task OnLinkConnectedAsync()
    {
        bool sync;
        lock (_gate)
        {
            sync = _record.Status == PayerChannelStatus.Open && _acknowledged.Sign > 0 && _reserved == _acknowledged;
        }

        await OnConnectedAsync().ConfigureAwait(false);
        if (sync && Link is not null)
        {
            try
            {
                await RequestReceiptAsync(CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Best effort: the refund is also offered with the next voucher and served by GET …/refund.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    internal void OnReceipt(ReceiptFrame receipt)
    {
        if (receipt.ChannelId == Id)
        {
            // Off the receive loop; a store fault here loses only this receipt (the next one, or a request, replaces it).
            _ = RecordReceiptAsync(receipt, CancellationToken.None).ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    internal void OnRefund(RefundFrame refund)
    {
        if (refund.ChannelId != Id)
        {
            return;
        }

        // Checked like any refund (payee's signature in this domain, monotone, within the payee's deposit) and stored if
        // accepted; off the receive loop. A refused or malformed one changes nothing.
        if (refund.ToSignedVoucher() is { } voucher)
        {
            _ = AcceptRefreshingAsync(voucher).ContinueWith(
                t => RefundHandled?.Invoke(t.IsCompletedSuccessfully ? t.Result : null), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            RefundHandled?.Invoke(null);
        }
    }

    /// <summary>
    /// Accepts a refund from the payee; if it exceeds the payee's deposit as last read, reads the deposits from the chain
    /// once and tries again (the payee tops up its deposit just before refunding, and the payer reads it only on demand).
    /// </summary>
    private async Task<RefundOutcome> AcceptRefreshingAsync(SignedVoucher voucher)
    {
        var outcome = await AcceptRefundAsync(voucher, CancellationToken.None).ConfigureAwait(false);
        if (outcome.Verdict != RefundVerdict.ExceedsPayeeDeposit)
        {
            return outcome;
        }

        try
        {
            await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The chain is unreachable now: the refund stays refused (the payee offers it again, or the payer polls).
        catch (Exception)
#pragma warning restore CA1031
        {
            return outcome;
        }

        return await AcceptRefundAsync(voucher, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the payee service for its newest refund of this channel (<c>GET …/refund</c>, docs/payee.md "Refunds") and
    /// accepts it as a REFUND frame would be (reading the payee's deposit from the chain first if the refund exceeds the
    /// one last read). Null if the payee has none or its answer is not a refund of this channel.
    /// </summary>
    public async Task<RefundOutcome?> FetchRefundAsync(PayeeCloseAgreementClient payee, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payee);
        if (await payee.GetRefundAsync(Key, cancellationToken).ConfigureAwait(false) is not { } refund)
        {
            return null;
        }

        var outcome = await AcceptRefundAsync(refund, cancellationToken).ConfigureAwait(false);
        if (outcome.Verdict != RefundVerdict.ExceedsPayeeDeposit)
        {
            return outcome;
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return await AcceptRefundAsync(refund, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Raised after a REFUND frame from the payee stream was checked: its outcome, or null if the frame's signature was
    /// malformed or storing it failed. Off the receive loop.
    /// </summary>
    public event Action<RefundOutcome?>? RefundHandled;

    private PaymentRefused? Refuse(BigInteger increment)
    {
        PaymentRefusalReason? reason =
            _record.Status == PayerChannelStatus.Closed ? PaymentRefusalReason.ChannelClosed
            : _record.Status == PayerChannelStatus.Closing ? PaymentRefusalReason.ChannelClosing
            : increment.Sign <= 0 ? PaymentRefusalReason.NotPositive
            : _reserved + increment > _record.Deposit ? PaymentRefusalReason.ExceedsDeposit
            : null;
        return reason is { } r ? new PaymentRefused(r, increment, _reserved, _record.Deposit) : null;
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            throw new InvalidOperationException($"Channel {Key}: the voucher store failed earlier; reopen the channel.", fault);
        }
    }

    private async Task<PaymentOutcome> DeliverAsync(SignedVoucher voucher, CancellationToken cancellationToken)
    {
        var ack = await Link!.TrySendAsync(VoucherFrame.FromSignedVoucher(voucher), cancellationToken).ConfigureAwait(false);
        if (ack is null)
        {
            return new PaymentQueued(voucher);
        }

        await RecordAcknowledgementAsync(ack, cancellationToken).ConfigureAwait(false);
        switch (ack.Outcome)
        {
            case AckOutcome.Accepted or AckOutcome.Duplicate:
                return new PaymentDelivered(voucher, ack);
            case AckOutcome.Rejected when ack.RejectCode == VoucherRejectCode.Stale:
                // Concurrent payers' vouchers may reach the payee out of order: it already accepted a higher one (perhaps
                // still being written, so the ACK's stored amount can lag), which supersedes this one.
                return new PaymentDelivered(voucher, ack);
            case AckOutcome.Rejected when ack.RejectCode is VoucherRejectCode.Unavailable or VoucherRejectCode.VelocityLimit:
                ScheduleRetry();
                return new PaymentQueued(voucher);
            default:
                return new PaymentRejected(voucher, ack);
        }
    }

    private void ScheduleRetry()
    {
        if (Interlocked.Exchange(ref _retryScheduled, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(_client.Options.RetryDelay, _client.Options.TimeProvider).ConfigureAwait(false);
                Volatile.Write(ref _retryScheduled, 0);
                await OnConnectedAsync().ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _retryScheduled, 0);
            }
        });
    }

    private async Task<ReceiptVerdict> RaiseAcknowledgedAsync(BigInteger held, CancellationToken cancellationToken)
    {
        BigInteger value;
        lock (_gate)
        {
            value = BigInteger.Min(held, _reserved);
            if (value <= _acknowledged)
            {
                return ReceiptVerdict.NotNewer;
            }

            _acknowledged = value;
        }

        await _client.Batcher.WriteAsync(new PayerVoucherWrite(Key, null, value)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ReceiptVerdict.Stored;
    }

    private async Task StopSigningAsync(PayerChannelStatus status, CancellationToken cancellationToken)
    {
        PayerChannelRecord record;
        lock (_gate)
        {
            if (_record.Status >= status)
            {
                return;
            }

            _record = _record with { Status = status };
            record = _record;
        }

        await _client.Store.SaveChannelAsync(record, cancellationToken).ConfigureAwait(false);
    }
}
