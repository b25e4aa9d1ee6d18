using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Transfers;

/// <summary>
/// Top-ups and payouts as persisted state machines (see <see cref="TransferState"/>). Everything the
/// next step needs is written before the bank call that produces the step after it (the authorisation
/// request before the redirect, the code before the token exchange, the token before the payment
/// POST), so a restart at any point resumes (<see cref="ResumeAsync"/>) or ends in a final state that
/// says nothing was paid; every POST reuses the operation's idempotency key and byte-identical body,
/// so no retry, resume or concurrent run pays twice. One advance at a time per transfer, across
/// processes (a lease in the store). Payment status arrives by polling (<see cref="AdvanceAsync"/>)
/// and by event notifications (<see cref="ApplyResourceUpdateAsync"/>); a status only moves forward
/// (<see cref="StatusUpdateOutcome"/>).
/// </summary>
public sealed partial class TransferService
{
    private readonly OpenBankingClients _clients;
    private readonly SqliteTransferStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<TransferService> _logger;
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();
    private readonly ITransferCheckpointObserver? _checkpoints;

    // Longer than any one advance (each bank call is bounded by the attempt timeout and retries);
    // a holder killed on this host is detected at once (TransferLeaseHolder.IsGone).
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(5);
    private readonly string _leaseHolder = TransferLeaseHolder.NewInstance();

    // Decoupled (CIBA) polls: the persisted state changes only when the interval does (slow_down);
    // the time of the next poll between two persisted changes lives here.
    private readonly ConcurrentDictionary<Guid, DecoupledAuthorization> _decoupledPolls = new();

    // Status polls of submitted payments: per payment, when the next poll is due and the current
    // back-off (doubling after every poll that brought no change, capped). In memory: a restart polls
    // at once and starts the back-off again.
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Due, TimeSpan Interval)> _statusPolls = new();

    internal TransferService(OpenBankingClients clients, SqliteTransferStore store, TimeProvider time, ILogger<TransferService> logger,
        ITransferCheckpointObserver? checkpoints = null)
    {
        _clients = clients;
        _store = store;
        _time = time;
        _logger = logger;
        _checkpoints = checkpoints;
    }

    /// <summary>Starts (or, for a known <see cref="TransferRequest.OperationId"/>, returns) a top-up into the platform account and advances it as far as it goes.</summary>
    public Task<TransferOperation> StartTopupAsync(TransferRequest request, CancellationToken cancellationToken) =>
        StartAsync(TransferKind.Topup, request, cancellationToken);

    /// <summary>Starts (or returns) a payout from the platform account to <see cref="TransferRequest.Counterparty"/> and advances it.</summary>
    public Task<TransferOperation> StartPayoutAsync(TransferRequest request, CancellationToken cancellationToken) =>
        StartAsync(TransferKind.Payout, request, cancellationToken);

    /// <summary>
    /// Records a top-up or payout (or finds the one with this <see cref="TransferRequest.OperationId"/>)
    /// without calling the bank, so a caller can report the operation id before anything is sent.
    /// Continue it with <see cref="TryAdvanceAsync"/>. A known id with other parameters is refused
    /// (<see cref="TransferCreationOutcome.Conflict"/>) and changes nothing.
    /// </summary>
    public async Task<TransferCreation> CreateAsync(TransferKind kind, TransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refusal(kind, request) is { } refusal)
        {
            throw new ValidationException(refusal);
        }

        var op = NewOperation(kind, request);
        if (await _store.TryInsertAsync(op, "created", cancellationToken).ConfigureAwait(false))
        {
            return new TransferCreation(op, TransferCreationOutcome.Created);
        }

        var existing = (await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!;
        return SameRequest(existing, op)
            ? new TransferCreation(existing, TransferCreationOutcome.Existing)
            : new TransferCreation(existing, TransferCreationOutcome.Conflict);
    }

    /// <summary>
    /// Earlier transfers of the same request (kind, bank, amount, currency, counterparty, reference),
    /// oldest first: lets a caller that retries a request without its operation id continue the
    /// transfer it already started instead of paying a second time.
    /// </summary>
    public async Task<IReadOnlyList<TransferOperation>> FindSameRequestAsync(TransferKind kind, TransferRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var probe = NewOperation(kind, request with { OperationId = Guid.Empty });
        var candidates = await _store.ListByAmountAsync(kind, request.Bank, probe.Instruction.Amount, cancellationToken).ConfigureAwait(false);
        return candidates.Where(c => SameRequest(c, probe)).ToList();
    }

    /// <summary>Transfers not in a final state (or all with <paramref name="includeFinished"/>), oldest first.</summary>
    public Task<IReadOnlyList<TransferOperation>> ListAsync(bool includeFinished, CancellationToken cancellationToken) =>
        includeFinished ? _store.ListAllAsync(cancellationToken) : _store.ListUnfinishedAsync(cancellationToken);

    /// <summary>The transfer, or null.</summary>
    public Task<TransferOperation?> GetAsync(Guid id, CancellationToken cancellationToken) => _store.GetAsync(id, cancellationToken);

    /// <summary>The audit trail of a transfer, oldest first.</summary>
    public Task<IReadOnlyList<TransferTransition>> GetHistoryAsync(Guid id, CancellationToken cancellationToken) => _store.GetTransitionsAsync(id, cancellationToken);

    /// <summary>
    /// Advances every unfinished transfer once (after a restart, and periodically). Failures of one do
    /// not stop the others; one being advanced elsewhere is returned as stored.
    /// </summary>
    public async Task<IReadOnlyList<TransferOperation>> ResumeAsync(CancellationToken cancellationToken)
    {
        var result = new List<TransferOperation>();
        foreach (var op in await _store.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var advance = await TryAdvanceAsync(op.Id, cancellationToken).ConfigureAwait(false);
                if (advance.Busy)
                {
                    LogBusy(op.Id, advance.BusyWith!);
                }

                result.Add(advance.Operation);
            }
            catch (Exception ex) when (ex is BankApiException or TransferConcurrencyException or KeyNotFoundException)
            {
                // One transfer's trouble (bank down, concurrent writer, bank no longer configured)
                // must not stop the others; it is retried on the next pass.
                LogAdvanceFailed(op.Id, ex.GetType().Name, ex.Message);
                result.Add((await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!);
            }
        }

        return result;
    }

    /// <summary>
    /// Runs the transfer's state machine until it has to wait (customer, settlement, a notification)
    /// or finishes. A transient bank failure is recorded in <see cref="TransferOperation.LastError"/> and rethrown;
    /// the state stays where it was, ready for the next attempt. When another process holds the
    /// transfer's lease the transfer is returned as stored (use <see cref="TryAdvanceAsync"/> to tell).
    /// </summary>
    public async Task<TransferOperation> AdvanceAsync(Guid id, CancellationToken cancellationToken) =>
        (await TryAdvanceAsync(id, cancellationToken).ConfigureAwait(false)).Operation;

    /// <summary>
    /// <see cref="AdvanceAsync"/>, reporting whether another process (or connector instance) was
    /// advancing the transfer (<see cref="TransferAdvance.Busy"/>; then nothing was sent or written).
    /// </summary>
    public async Task<TransferAdvance> TryAdvanceAsync(Guid id, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var busy = await _store.TryAcquireLeaseAsync(id, _leaseHolder, _time.GetUtcNow(), LeaseDuration, TransferLeaseHolder.IsGone, cancellationToken).ConfigureAwait(false);
            if (busy is not null)
            {
                var stored = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false)
                    ?? throw new KeyNotFoundException($"Transfer {id:N} does not exist.");
                return new TransferAdvance(stored, TransferLeaseHolder.Describe(busy));
            }

            try
            {
                return new TransferAdvance(await RunAsync(id, cancellationToken).ConfigureAwait(false), null);
            }
            finally
            {
                await _store.ReleaseLeaseAsync(id, _leaseHolder, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<TransferOperation> RunAsync(Guid id, CancellationToken cancellationToken)
    {
        {
            while (true)
            {
                var op = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false)
                    ?? throw new KeyNotFoundException($"Transfer {id:N} does not exist.");
                TransferOperation? next;
                try
                {
                    next = await StepAsync(op, cancellationToken).ConfigureAwait(false);
                }
                catch (BankApiException ex)
                {
                    await RecordErrorAsync(op, ex, cancellationToken).ConfigureAwait(false);
                    throw;
                }

                if (next is null)
                {
                    return (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false))!;
                }
            }
        }
    }

    /// <summary>
    /// Completes a customer's authorisation from the redirect (non-headless banks): <paramref name="state"/>
    /// finds the transfer; a <paramref name="code"/> is exchanged (PKCE) and the payment submitted; an
    /// <paramref name="error"/> (e.g. <c>access_denied</c>) rejects the transfer.
    /// </summary>
    public async Task<TransferOperation> CompleteAuthorizationAsync(string state, string? code, string? error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        var op = await _store.FindByAuthorizationStateAsync(state, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException("No transfer waits for this authorisation state.");
        var gate = _locks.GetOrAdd(op.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await _store.TryAcquireLeaseAsync(op.Id, _leaseHolder, _time.GetUtcNow(), LeaseDuration, TransferLeaseHolder.IsGone, cancellationToken).ConfigureAwait(false) is not null)
            {
                // Another process is advancing it; the redirect is answered from what is stored.
                return (await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!;
            }

            try
            {
                op = (await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!;
                if (op.State != TransferState.AwaitingAuthorisation || op.AuthorizationCode is not null
                    || !string.Equals(op.AuthorizationState, state, StringComparison.Ordinal))
                {
                    return op;
                }

                if (await ExpireIfOverdueAsync(_clients.Get(op.Bank), op, cancellationToken).ConfigureAwait(false))
                {
                    return (await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!;
                }

                if (!string.IsNullOrEmpty(error) || string.IsNullOrEmpty(code))
                {
                    await MoveAsync(op, op with { State = TransferState.Rejected, LastError = $"authorisation failed: {error ?? "no code"}" }, "authorisation-declined", error, cancellationToken).ConfigureAwait(false);
                    return (await _store.GetAsync(op.Id, cancellationToken).ConfigureAwait(false))!;
                }

                // Saved before the exchange: a restart continues with this code (AuthoriseAsync).
                var saved = await MoveAsync(op, op with { AuthorizationCode = code }, "authorisation-code-received", null, cancellationToken).ConfigureAwait(false);
                Checkpoint(op.Id, TransferCheckpoint.CodeSaved);
                await ExchangeCodeAsync(_clients.Get(op.Bank), saved, code, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await _store.ReleaseLeaseAsync(op.Id, _leaseHolder, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }

        return await AdvanceAsync(op.Id, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TransferOperation> StartAsync(TransferKind kind, TransferRequest request, CancellationToken ct)
    {
        var created = await CreateAsync(kind, request, ct).ConfigureAwait(false);
        var id = created.Operation.Id;
        switch (created.Outcome)
        {
            case TransferCreationOutcome.Conflict:
                throw new InvalidOperationException($"Transfer {id:N} already exists with different parameters.");
            case TransferCreationOutcome.Existing:
                LogRepeatedStart(id);
                return created.Operation.IsFinished ? created.Operation : await AdvanceAsync(id, ct).ConfigureAwait(false);
            default:
                return await AdvanceAsync(id, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why the bank would refuse <paramref name="request"/> as data, checked before anything is stored or
    /// sent: a creditor reference longer than the 18 characters Faster Payments carries, or a <c>Risk</c>
    /// value outside the bank's spec version. Null when it can be sent. <see cref="CreateAsync"/> throws
    /// a <see cref="ValidationException"/> with this text. A request that breaks its own annotations
    /// (amount, currency, bank) throws <see cref="ValidationException"/> here too, as before.
    /// </summary>
    public string? Refusal(TransferKind kind, TransferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validator.ValidateObject(request, new ValidationContext(request), validateAllProperties: true);
        if (request.Reference is { Length: > PaymentInstruction.MaxReferenceLength } reference)
        {
            return $"Reference is {reference.Length} characters; Faster Payments carries at most {PaymentInstruction.MaxReferenceLength} (OBIE RemittanceInformation Reference), nothing was sent";
        }

        var client = _clients.Get(request.Bank);
        return RiskFor(client, kind, request).Check(client.Version) is { } riskError ? riskError + ", nothing was sent" : null;
    }

    private static PaymentRisk RiskFor(PisClient client, TransferKind kind, TransferRequest request) =>
        request.Risk ?? (kind == TransferKind.Topup ? client.Options.TopupRisk : client.Options.PayoutRisk).ToRisk();

    private TransferOperation NewOperation(TransferKind kind, TransferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validator.ValidateObject(request, new ValidationContext(request), validateAllProperties: true);
        var client = _clients.Get(request.Bank);
        if (kind == TransferKind.Payout && request.Counterparty is null)
        {
            throw new ValidationException("A payout needs the merchant's account (Counterparty).");
        }

        var id = request.OperationId ?? Guid.NewGuid();
        var platform = client.PlatformAccount;
        var compact = id.ToString("N");
        var instruction = new PaymentInstruction(
            InstructionIdentification: compact[..30],
            EndToEndIdentification: compact[..30],
            Amount: new Money(request.AmountMinor, request.Currency),
            Creditor: kind == TransferKind.Topup ? platform : request.Counterparty!,
            Debtor: kind == TransferKind.Topup ? request.Counterparty : platform,
            Reference: request.Reference,
            Risk: RiskFor(client, kind, request),
            // Top-ups ask for the payer's verified account: refunds and payouts go back to it (closed loop).
            ReadRefundAccount: kind == TransferKind.Topup && client.Options.ReadRefundAccount);
        var now = _time.GetUtcNow();
        return new TransferOperation
        {
            Id = id, Kind = kind, Bank = request.Bank, State = TransferState.Created, Instruction = instruction,
            Version = 1, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>Same kind, bank and instruction apart from the identifications derived from the operation id.</summary>
    private static bool SameRequest(TransferOperation a, TransferOperation b) =>
        a.Kind == b.Kind && a.Bank == b.Bank
        && a.Instruction with { InstructionIdentification = "", EndToEndIdentification = "" } == b.Instruction with { InstructionIdentification = "", EndToEndIdentification = "" };

    /// <summary>One step; returns the updated operation to continue, or null to stop (waiting or final).</summary>
    private async Task<TransferOperation?> StepAsync(TransferOperation op, CancellationToken ct)
    {
        var client = _clients.Get(op.Bank);
        switch (op.State)
        {
            case TransferState.Created:
                return await CreateConsentAsync(client, op, ct).ConfigureAwait(false);
            case TransferState.AwaitingAuthorisation:
                if (await ExpireIfOverdueAsync(client, op, ct).ConfigureAwait(false))
                {
                    return null;
                }

                return await AuthoriseAsync(client, op, ct).ConfigureAwait(false);
            case TransferState.SubmittingPayment:
                return await SubmitPaymentAsync(client, op, ct).ConfigureAwait(false);
            case TransferState.PaymentSubmitted:
                await PollStatusAsync(client, op, ct).ConfigureAwait(false);
                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// One status poll of a submitted payment, if due: per payment the wait starts at
    /// <c>StatusPollInitialInterval</c>, doubles after every poll that brought no change and is capped
    /// at <c>StatusPollMaxInterval</c>; a change starts it again. The caller (worker, CLI) decides how
    /// often to ask; a poll that is not due sends nothing.
    /// </summary>
    private async Task PollStatusAsync(PisClient client, TransferOperation op, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_statusPolls.TryGetValue(op.Id, out var schedule) && now < schedule.Due)
        {
            return;
        }

        var payment = await client.GetPaymentAsync(op.PaymentId!, ct).ConfigureAwait(false);
        CheckPaymentMatches(client, op, payment);
        op = await KeepRefundAccountAsync(op, payment, ct).ConfigureAwait(false);
        var outcome = await ApplyStatusCoreAsync(op, payment.Status, "poll", ct).ConfigureAwait(false);
        if (PaymentLifecycle.StateFor(payment.Status) != TransferState.PaymentSubmitted && outcome == StatusUpdateOutcome.Applied)
        {
            _statusPolls.TryRemove(op.Id, out _);
            return;
        }

        var options = client.Options;
        var interval = outcome == StatusUpdateOutcome.Applied || schedule.Interval == TimeSpan.Zero
            ? options.StatusPollInitialInterval
            : TimeSpan.FromTicks(Math.Min(schedule.Interval.Ticks * 2, options.StatusPollMaxInterval.Ticks));
        _statusPolls[op.Id] = (_time.GetUtcNow() + interval, interval);
    }

    /// <summary>When the next status poll of a submitted payment is due (null: at once), for callers that wait between advances.</summary>
    public DateTimeOffset? NextStatusPollDue(Guid id) => _statusPolls.TryGetValue(id, out var s) ? s.Due : null;

    /// <summary>
    /// Keeps <c>Data.Refund</c> (the payer's account as the bank verified it) with the transfer the first
    /// time the bank reports it. The audit row and the log show it masked.
    /// </summary>
    private async Task<TransferOperation> KeepRefundAccountAsync(TransferOperation op, DomesticPayment payment, CancellationToken ct) =>
        payment.Refund is { } refund && op.RefundAccount is null
            ? await MoveAsync(op, op with { RefundAccount = refund }, "refund-account", refund.Masked, ct).ConfigureAwait(false)
            : op;

    /// <summary>
    /// A transfer waiting for the customer ends <see cref="TransferState.Expired"/>, and nothing more is
    /// sent for it, once <c>AuthorisationTimeout</c> has passed since it was created or the consent's
    /// <c>Authorisation.CompletionDateTime</c> has passed.
    /// </summary>
    private async Task<bool> ExpireIfOverdueAsync(PisClient client, TransferOperation op, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        string? why = null;
        if (now >= op.CreatedAt + client.Options.AuthorisationTimeout)
        {
            why = $"not authorised within AuthorisationTimeout ({client.Options.AuthorisationTimeout}) of its creation";
        }
        else if (op.ConsentAuthorisationDeadline is { } deadline && now > deadline)
        {
            why = $"not authorised by the consent's Authorisation.CompletionDateTime {deadline:O}";
        }

        if (why is null)
        {
            return false;
        }

        _decoupledPolls.TryRemove(op.Id, out _);
        await MoveAsync(op, op with
        {
            State = TransferState.Expired,
            AuthorizationCode = null,
            CodeVerifier = null,
            Decoupled = null,
            LastError = why + "; the consent is not used any more, nothing was paid: start a new transfer",
        }, "authorisation-expired", why, ct).ConfigureAwait(false);
        return true;
    }

    private async Task<TransferOperation?> CreateConsentAsync(PisClient client, TransferOperation op, CancellationToken ct)
    {
        if (client.Options.AuthorizationMode == Configuration.AuthorizationMode.Decoupled
            && !(await client.Metadata.GetDiscoveryAsync(ct).ConfigureAwait(false)).SupportsCiba)
        {
            // Configuration error found at discovery: fail before any consent exists; nothing can be paid.
            await MoveAsync(op, op with
            {
                State = TransferState.Failed,
                LastError = $"AuthorizationMode is Decoupled but bank '{op.Bank}' does not advertise CIBA (backchannel_authentication_endpoint and the CIBA grant); nothing was paid",
            }, "decoupled-unsupported", null, ct).ConfigureAwait(false);
            return null;
        }

        PaymentConsent consent;
        Checkpoint(op.Id, TransferCheckpoint.Created);
        try
        {
            // Same key and body on every resume: a consent the bank created before a crash comes back.
            consent = await client.CreateConsentAsync(op.Instruction, op.ConsentIdempotencyKey, ct).ConfigureAwait(false);
        }
        catch (BankApiException ex) when (ex is BankRequestRejectedException or BankResponseInvalidException or BankForbiddenException or BankAuthenticationException)
        {
            // No consent we could use exists (a 401 has already been retried with a fresh token): nothing can be paid. Final.
            await MoveAsync(op, op with { State = TransferState.Failed, LastError = ex.Message }, "consent-refused", ex.GetType().Name, ct).ConfigureAwait(false);
            return null;
        }

        Checkpoint(op.Id, TransferCheckpoint.ConsentCreatedAtBank);
        if (consent.LifetimeProblem(_time.GetUtcNow()) is { } lifetime)
        {
            // A consent past its lifetime is never used: nothing was authorised or paid with it.
            await MoveAsync(op, op with { State = TransferState.Failed, ConsentId = consent.ConsentId, ConsentStatus = consent.Status.Code, LastError = lifetime + "; nothing was paid" },
                "consent-expired", lifetime, ct).ConfigureAwait(false);
            return null;
        }

        op = op with { ConsentCutOff = consent.CutOff, ConsentAuthorisationDeadline = consent.AuthorisationCompletion };
        if (consent.Status.Kind == ConsentStatusKind.Rejected)
        {
            await MoveAsync(op, op with { State = TransferState.Rejected, ConsentId = consent.ConsentId, ConsentStatus = consent.Status.Code }, "consent-rejected", consent.Status.Code, ct).ConfigureAwait(false);
            return null;
        }

        if (client.Options.AuthorizationMode == Configuration.AuthorizationMode.Decoupled)
        {
            var pending = await client.StartDecoupledAuthorizationAsync(consent.ConsentId, ct).ConfigureAwait(false);
            var waiting = op with
            {
                State = TransferState.AwaitingAuthorisation,
                ConsentId = consent.ConsentId,
                ConsentStatus = consent.Status.Code,
                Decoupled = pending,
                LastError = null,
            };
            await MoveAsync(op, waiting, "consent-created-decoupled", consent.ConsentId, ct).ConfigureAwait(false);
            return null;
        }

        var auth = await client.BuildAuthorizationUrlAsync(consent.ConsentId, ct).ConfigureAwait(false);
        var updated = op with
        {
            State = TransferState.AwaitingAuthorisation,
            ConsentId = consent.ConsentId,
            ConsentStatus = consent.Status.Code,
            AuthorizationState = auth.State,
            AuthorizationUrl = auth.Url,
            NonceValue = auth.Nonce,
            CodeVerifier = auth.CodeVerifier,
            LastError = null,
        };
        var saved = await MoveAsync(op, updated, "consent-created", consent.ConsentId, ct).ConfigureAwait(false);
        Checkpoint(op.Id, TransferCheckpoint.ConsentSaved);
        return saved;
    }

    private async Task<TransferOperation?> AuthoriseAsync(PisClient client, TransferOperation op, CancellationToken ct)
    {
        if (op.Decoupled is { } persisted)
        {
            return await PollDecoupledAsync(client, op, persisted, ct).ConfigureAwait(false);
        }

        if (op.AuthorizationCode is { } savedCode)
        {
            // A restart after the redirect: continue with the saved code, never authorise twice.
            return await ExchangeCodeAsync(client, op, savedCode, ct).ConfigureAwait(false);
        }

        if (!client.Options.Quirks.HeadlessAuthorization)
        {
            // A person has to approve at the bank; see whether the bank already decided.
            var consent = await client.GetConsentAsync(op.ConsentId!, ct).ConfigureAwait(false);
            if (consent.Status.Kind == ConsentStatusKind.Rejected)
            {
                await MoveAsync(op, op with { State = TransferState.Rejected, ConsentStatus = consent.Status.Code }, "consent-rejected", consent.Status.Code, ct).ConfigureAwait(false);
            }

            return null;
        }

        // The request (state, nonce, PKCE verifier) is saved before the bank sees it: the code it
        // answers with can only be exchanged with this verifier.
        var request = await client.BuildAuthorizationUrlAsync(op.ConsentId!, ct).ConfigureAwait(false);
        op = await MoveAsync(op, op with { AuthorizationState = request.State, AuthorizationUrl = request.Url, NonceValue = request.Nonce, CodeVerifier = request.CodeVerifier },
            "authorisation-requested", null, ct).ConfigureAwait(false);
        string code;
        try
        {
            code = await client.AuthorizeHeadlessAsync(request, ct).ConfigureAwait(false);
        }
        catch (BankAuthorizationException ex) when (ex.Error == "access_denied")
        {
            await MoveAsync(op, op with { State = TransferState.Rejected, LastError = "the customer declined the consent" }, "authorisation-declined", ex.Error, ct).ConfigureAwait(false);
            return null;
        }
        catch (BankAuthorizationException ex) when (!ex.IsTransient)
        {
            // Typically "the consent is not awaiting authorisation": an earlier run was authorised
            // and its code was lost with the process. The consent's status decides.
            return await AuthorisationLostAsync(client, op, ex, "the consent was authorised by an earlier run whose authorisation code was lost before it was saved", ct).ConfigureAwait(false);
        }

        Checkpoint(op.Id, TransferCheckpoint.AuthorisedAtBank);
        op = await MoveAsync(op, op with { AuthorizationCode = code }, "authorisation-code-received", null, ct).ConfigureAwait(false);
        Checkpoint(op.Id, TransferCheckpoint.CodeSaved);
        return await ExchangeCodeAsync(client, op, code, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Exchanges the saved code (PKCE) and saves the consent-scoped token with <c>SubmittingPayment</c>.
    /// A code the bank no longer accepts (used by a run that crashed before saving the token, or
    /// expired) cannot be replaced: the consent's status decides the final state. An ID token that
    /// fails verification (the nonce saved with the authorisation request, signature, iss, aud, exp,
    /// intent id) ends the transfer <c>Failed</c> with the exact reason: the access token that came
    /// with it is neither saved nor used, so nothing is paid.
    /// </summary>
    private async Task<TransferOperation?> ExchangeCodeAsync(PisClient client, TransferOperation op, string code, CancellationToken ct)
    {
        // The nonce comes from the store, saved with the request before the customer saw it: a restart
        // between redirect and callback still checks the ID token against the value that was sent.
        var request = new AuthorizationRequest(op.AuthorizationUrl!, op.ConsentId!, op.AuthorizationState!, op.NonceValue ?? "", op.CodeVerifier!);
        AccessToken token;
        try
        {
            token = await client.CompleteAuthorizationAsync(request, code, request.State, ct).ConfigureAwait(false);
        }
        catch (BankAuthorizationException ex) when (!ex.IsTransient)
        {
            return await AuthorisationLostAsync(client, op, ex, "the authorisation code was already used or expired before its token was saved", ct).ConfigureAwait(false);
        }
        catch (BankResponseInvalidException ex) when (ex.Problem == BankResponseProblem.IdTokenInvalid)
        {
            // Final: the code is spent, and a consent authorised for someone we cannot confirm is not used.
            await MoveAsync(op, op with
            {
                State = TransferState.Failed,
                AuthorizationCode = null,
                CodeVerifier = null,
                ConsentToken = null,
                LastError = $"ID token refused: {ex.Detail}; its access token was not used, nothing was paid: start a new transfer (it gets a new consent)",
            }, "id-token-refused", ex.Detail, ct).ConfigureAwait(false);
            return null;
        }

        Checkpoint(op.Id, TransferCheckpoint.TokenIssued);
        return await MoveAsync(op, op with
        {
            State = TransferState.SubmittingPayment,
            ConsentStatus = ConsentCode(client, ConsentStatusKind.Authorised),
            AuthorizationCode = null,
            CodeVerifier = null,
            ConsentToken = token,
            LastError = null,
        }, "authorised", null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The authorisation cannot be continued (no code or token survives and OBIE banks do not
    /// authorise a consent twice). The consent's status says what happened: still awaiting → the error
    /// was something else (recorded, rethrown, retried later); authorised but unused → <c>Failed</c>,
    /// nothing was paid, a new transfer needs a new consent; rejected → <c>Rejected</c>; consumed → a
    /// payment exists, never marked failed.
    /// </summary>
    private async Task<TransferOperation?> AuthorisationLostAsync(PisClient client, TransferOperation op, BankAuthorizationException cause, string what, CancellationToken ct)
    {
        var consent = await client.GetConsentAsync(op.ConsentId!, ct).ConfigureAwait(false);
        switch (consent.Status.Kind)
        {
            case ConsentStatusKind.Authorised:
                await MoveAsync(op, op with
                {
                    State = TransferState.Failed,
                    ConsentStatus = consent.Status.Code,
                    AuthorizationCode = null,
                    CodeVerifier = null,
                    Decoupled = null,
                    LastError = $"{what}; the consent is authorised but unused, so nothing was paid: start a new transfer (it gets a new consent)",
                }, "authorisation-lost", cause.Error, ct).ConfigureAwait(false);
                return null;
            case ConsentStatusKind.Rejected:
                await MoveAsync(op, op with { State = TransferState.Rejected, ConsentStatus = consent.Status.Code, AuthorizationCode = null, Decoupled = null }, "consent-rejected", consent.Status.Code, ct).ConfigureAwait(false);
                return null;
            case ConsentStatusKind.Consumed:
                await MoveAsync(op, op with { ConsentStatus = consent.Status.Code, LastError = "the consent was used for a payment by another run; waiting for its id from an event notification" },
                    "payment-exists", consent.Status.Code, ct).ConfigureAwait(false);
                return null;
            default:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
                return null;
        }
    }

    /// <summary>
    /// One look at a pending decoupled authorisation (at most one token request, and only once its
    /// interval has passed): approved → SubmittingPayment with the consent-bound token; declined →
    /// Rejected; expired → Failed; approved with an ID token that fails verification (CIBA binding:
    /// signature, iss, aud, exp, iat, intent id, auth_req_id claim, at_hash) → Failed, the token neither
    /// saved nor used. All but the first end with nothing paid.
    /// </summary>
    private async Task<TransferOperation?> PollDecoupledAsync(PisClient client, TransferOperation op, DecoupledAuthorization persisted, CancellationToken ct)
    {
        var pending = _decoupledPolls.TryGetValue(op.Id, out var known) && known.AuthReqId == persisted.AuthReqId && known.Interval >= persisted.Interval ? known : persisted;
        DecoupledPollResult result;
        try
        {
            result = await client.PollDecoupledAuthorizationAsync(op.ConsentId!, pending, ct).ConfigureAwait(false);
        }
        catch (BankResponseInvalidException ex) when (ex.Problem == BankResponseProblem.IdTokenInvalid)
        {
            // Final, as for the code exchange: the auth_req_id is spent, and a consent authorised for someone we
            // cannot confirm is not used.
            _decoupledPolls.TryRemove(op.Id, out _);
            await MoveAsync(op, op with
            {
                State = TransferState.Failed,
                Decoupled = null,
                ConsentToken = null,
                LastError = $"ID token refused: {ex.Detail}; its access token was not used, nothing was paid: start a new transfer (it gets a new consent)",
            }, "id-token-refused", ex.Detail, ct).ConfigureAwait(false);
            return null;
        }
        catch (BankAuthorizationException ex) when (!ex.IsTransient)
        {
            // e.g. invalid_grant for an auth_req_id whose token was issued to a run that died before
            // saving it: the consent's status decides, instead of refusing on every poll until expiry.
            _decoupledPolls.TryRemove(op.Id, out _);
            return await AuthorisationLostAsync(client, op, ex,
                "the decoupled authorisation can no longer be polled (its token was issued to a run that stopped before saving it)", ct).ConfigureAwait(false);
        }
        switch (result.Outcome)
        {
            case DecoupledPollOutcome.NotDue:
                return null;
            case DecoupledPollOutcome.Pending:
                _decoupledPolls[op.Id] = result.Pending;
                if (result.Pending.Interval != persisted.Interval)
                {
                    await MoveAsync(op, op with { Decoupled = result.Pending }, "decoupled-slow-down", $"interval {result.Pending.Interval.TotalSeconds:0} s", ct).ConfigureAwait(false);
                }

                return null;
            case DecoupledPollOutcome.Authorised:
                _decoupledPolls.TryRemove(op.Id, out _);
                Checkpoint(op.Id, TransferCheckpoint.TokenIssued);
                return await MoveAsync(op, op with { State = TransferState.SubmittingPayment, ConsentStatus = ConsentCode(client, ConsentStatusKind.Authorised), Decoupled = null, ConsentToken = result.Token, LastError = null },
                    "authorised-decoupled", null, ct).ConfigureAwait(false);
            case DecoupledPollOutcome.Denied:
                _decoupledPolls.TryRemove(op.Id, out _);
                await MoveAsync(op, op with { State = TransferState.Rejected, Decoupled = null, LastError = "the customer declined the consent (decoupled)" },
                    "authorisation-declined", "access_denied", ct).ConfigureAwait(false);
                return null;
            default:
                _decoupledPolls.TryRemove(op.Id, out _);
                await MoveAsync(op, op with { State = TransferState.Failed, Decoupled = null, LastError = "decoupled authorisation expired before the customer answered; nothing was paid" },
                    "authorisation-expired", null, ct).ConfigureAwait(false);
                return null;
        }
    }

    private async Task<TransferOperation?> SubmitPaymentAsync(PisClient client, TransferOperation op, CancellationToken ct)
    {
        if (op.ConsentCutOff is { } cutOff && _time.GetUtcNow() > cutOff)
        {
            // Past the consent's lifetime it is not used for a POST; the bank says whether an earlier
            // attempt already made the payment (Consumed) or nothing was paid.
            return await RecoverSubmissionAsync(client, op, $"the consent's CutOffDateTime {cutOff:O} passed before the payment was sent", ct).ConfigureAwait(false);
        }

        if (op.ConsentToken is not { } token || token.ExpiresOn <= _time.GetUtcNow())
        {
            return await RecoverSubmissionAsync(client, op, "the consent token was lost or expired before the payment was sent", ct).ConfigureAwait(false);
        }

        Checkpoint(op.Id, TransferCheckpoint.TokenSaved);
        DomesticPayment payment;
        try
        {
            // Same key and byte-identical body (built from the saved instruction and consent id) on
            // every attempt, every resume and after a crash: if an earlier POST created the payment,
            // the bank answers with it instead of paying again (OBIE idempotency, x-idempotency-key).
            payment = await client.SubmitPaymentAsync(op.ConsentId!, op.Instruction, token, op.PaymentIdempotencyKey, ct).ConfigureAwait(false);
        }
        catch (BankAuthenticationException)
        {
            // 401 on the payment POST: the bank does not accept the consent-scoped token (it cannot be
            // refreshed). Nothing was processed; the consent's status says whether a payment exists.
            return await RecoverSubmissionAsync(client, op, "the bank refused the consent token (HTTP 401) before the payment was sent", ct).ConfigureAwait(false);
        }
        catch (BankApiException ex) when (ex is BankRequestRejectedException or BankForbiddenException)
        {
            var consent = await client.GetConsentAsync(op.ConsentId!, ct).ConfigureAwait(false);
            if (consent.Status.Kind == ConsentStatusKind.Consumed)
            {
                // A payment exists for this consent: never mark it failed; its id comes from a notification.
                await RecordErrorAsync(op, ex, ct).ConfigureAwait(false);
                return null;
            }

            await MoveAsync(op, op with { State = TransferState.Failed, ConsentStatus = consent.Status.Code, ConsentToken = null, LastError = ex.Message }, "payment-refused", ex.GetType().Name, ct).ConfigureAwait(false);
            return null;
        }

        Checkpoint(op.Id, TransferCheckpoint.PaymentCreatedAtBank);

        // OBIE: creating the payment consumes the consent (Consumed / COND). The token is no longer needed.
        var result = await AttachPaymentAsync(op, op with { ConsentStatus = ConsentCode(client, ConsentStatusKind.Consumed), ConsentToken = null }, payment, "payment-created", ct).ConfigureAwait(false);
        Checkpoint(op.Id, TransferCheckpoint.PaymentSaved);
        return result;
    }

    /// <summary>
    /// No usable consent token (a database written before tokens were saved, or the token expired):
    /// the POST cannot be repeated, so ask the bank about the consent. Consumed → the payment exists,
    /// never marked failed; its id can only come from an event notification. Otherwise no payment
    /// was made with this consent and it cannot be authorised again (OBIE banks authorise a consent
    /// once): a final state that says nothing was paid.
    /// </summary>
    private async Task<TransferOperation?> RecoverSubmissionAsync(PisClient client, TransferOperation op, string why, CancellationToken ct)
    {
        var consent = await client.GetConsentAsync(op.ConsentId!, ct).ConfigureAwait(false);
        switch (consent.Status.Kind)
        {
            case ConsentStatusKind.Consumed:
                if (op.ConsentStatus != consent.Status.Code || op.ConsentToken is not null)
                {
                    await MoveAsync(op, op with
                    {
                        ConsentStatus = consent.Status.Code,
                        ConsentToken = null,
                        LastError = "payment created at the bank, but the consent token expired before its id was read; waiting for its id from an event notification",
                    }, "payment-exists", consent.Status.Code, ct).ConfigureAwait(false);
                }

                return null;
            case ConsentStatusKind.Rejected:
                await MoveAsync(op, op with { State = TransferState.Rejected, ConsentStatus = consent.Status.Code, ConsentToken = null }, "consent-rejected", consent.Status.Code, ct).ConfigureAwait(false);
                return null;
            default:
                await MoveAsync(op, op with
                {
                    State = TransferState.Failed,
                    ConsentStatus = consent.Status.Code,
                    ConsentToken = null,
                    LastError = why + "; the consent is unused, so nothing was paid: start a new transfer (it gets a new consent)",
                }, "authorisation-lost", consent.Status.Code, ct).ConfigureAwait(false);
                return null;
        }
    }

    /// <summary>The bank's code for a consent state its own protocol step implies (the step's answer was checked).</summary>
    private static string ConsentCode(PisClient client, ConsentStatusKind kind) => (client.Version, kind) switch
    {
        (Configuration.ObieVersion.V4_0, ConsentStatusKind.Authorised) => "AUTH",
        (Configuration.ObieVersion.V4_0, _) => "COND",
        (_, ConsentStatusKind.Authorised) => "Authorised",
        _ => "Consumed",
    };

    private async Task<TransferOperation?> AttachPaymentAsync(TransferOperation current, TransferOperation op, DomesticPayment payment, string eventName, CancellationToken ct)
    {
        if (payment.Status.Kind == PaymentStatusKind.Unknown)
        {
            var pending = op with { State = TransferState.PaymentSubmitted, RefundAccount = op.RefundAccount ?? payment.Refund, PaymentId = payment.PaymentId, UnrecognisedStatus = payment.Status.Code, LastError = null };
            await MoveAsync(current, pending, eventName, $"{payment.PaymentId} status {payment.Status.Code} (unrecognised)", ct).ConfigureAwait(false);
            return null;
        }

        var updated = op with
        {
            State = PaymentLifecycle.StateFor(payment.Status),
            RefundAccount = op.RefundAccount ?? payment.Refund,
            PaymentId = payment.PaymentId,
            PaymentStatus = payment.Status.Code,
            LastError = null,
        };
        await MoveAsync(current, updated, eventName, $"{payment.PaymentId} status {payment.Status.Code}", ct).ConfigureAwait(false);
        return null;
    }

    private async Task<StatusUpdateOutcome> ApplyStatusCoreAsync(TransferOperation op, PaymentStatus status, string source, CancellationToken ct)
    {
        var outcome = PaymentLifecycle.Classify(op.PaymentStatus, status);
        switch (outcome)
        {
            case StatusUpdateOutcome.Applied:
                await MoveAsync(op, op with { State = PaymentLifecycle.StateFor(status), PaymentStatus = status.Code, LastError = null }, "status-" + source, status.Code, ct).ConfigureAwait(false);
                break;
            case StatusUpdateOutcome.Impossible:
                LogImpossibleStatus(op.Id, op.PaymentStatus, status.Code, source);
                await _store.AppendRefusedAsync(op, PaymentLifecycle.StateFor(status), "status-refused-" + source,
                    $"{op.PaymentStatus} -> {status.Code} is not a possible payment status change", _time.GetUtcNow(), ct).ConfigureAwait(false);
                break;
            case StatusUpdateOutcome.Unrecognised:
                LogUnrecognisedStatus(op.Id, status.Code, source);
                if (op.UnrecognisedStatus != status.Code)
                {
                    await MoveAsync(op, op with { UnrecognisedStatus = status.Code }, "status-unrecognised-" + source, status.Code, ct).ConfigureAwait(false);
                }

                break;
            default:
                LogIgnoredStatus(op.Id, op.PaymentStatus, status.Code, outcome, source);
                break;
        }

        return outcome;
    }

    private static void CheckPaymentMatches(PisClient client, TransferOperation op, DomesticPayment payment)
    {
        if (payment.ConsentId != op.ConsentId)
        {
            throw new BankResponseInvalidException(client.Bank, BankResponseProblem.ResourceMismatch, "payment belongs to another consent", null, null);
        }

        if (payment.Amount != op.Instruction.Amount)
        {
            throw new BankResponseInvalidException(client.Bank, BankResponseProblem.AmountMismatch,
                $"payment amount {payment.Amount} differs from the instructed {op.Instruction.Amount}", null, null);
        }
    }

    private async Task<TransferOperation> MoveAsync(TransferOperation current, TransferOperation updated, string eventName, string? detail, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (!await _store.TryUpdateAsync(current, updated, eventName, detail, now, ct).ConfigureAwait(false))
        {
            throw new TransferConcurrencyException(current.Id);
        }

        LogTransition(current.Id, current.Kind, current.State, updated.State, eventName);
        return updated with { Version = current.Version + 1, UpdatedAt = now };
    }

    private void Checkpoint(Guid id, TransferCheckpoint checkpoint) => _checkpoints?.OnCheckpoint(id, checkpoint);

    private async Task RecordErrorAsync(TransferOperation op, BankApiException ex, CancellationToken ct)
    {
        var fresh = await _store.GetAsync(op.Id, ct).ConfigureAwait(false);
        if (fresh is null || fresh.IsFinished || fresh.LastError == ex.Message)
        {
            return;
        }

        await _store.TryUpdateAsync(fresh, fresh with { LastError = ex.Message }, "error", ex.GetType().Name, _time.GetUtcNow(), ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer {Id} ({Kind}): {From} -> {To} ({Event})")]
    private partial void LogTransition(Guid id, TransferKind kind, TransferState from, TransferState to, string @event);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer {Id}: refused impossible payment status change {From} -> {To} (from {Source})")]
    private partial void LogImpossibleStatus(Guid id, string? from, string to, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer {Id}: unrecognised payment status {Code} (from {Source}) kept, state unchanged")]
    private partial void LogUnrecognisedStatus(Guid id, string code, string source);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Transfer {Id}: status {To} ignored after {From}: {Outcome} (from {Source})")]
    private partial void LogIgnoredStatus(Guid id, string? from, string to, StatusUpdateOutcome outcome, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer {Id}: advance failed, will retry: {Type}: {Message}")]
    private partial void LogAdvanceFailed(Guid id, string type, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer {Id}: being advanced by {Holder}; left as stored")]
    private partial void LogBusy(Guid id, string holder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer {Id}: started again with the same operation id; returning the existing transfer")]
    private partial void LogRepeatedStart(Guid id);
}
