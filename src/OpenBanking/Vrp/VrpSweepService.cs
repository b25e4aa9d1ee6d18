using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>
/// Exactly-once sweeps under sweeping VRP consents (<see cref="IVrpSweeps"/>). A sweep is saved as Pending, with the
/// consent's limits checked in the same transaction, before the bank is called; the x-idempotency-key and the
/// instruction id are derived from the operation id, so every resend is the same request and the bank answers it with
/// the payment it already made. Status is read from the bank (polls and notifications alike) and only moves forward.
/// </summary>
public sealed partial class VrpSweepService : IVrpSweeps
{
    private readonly OpenBankingClients _clients;
    private readonly SqliteVrpSweepStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    internal VrpSweepService(OpenBankingClients clients, SqliteVrpSweepStore store, TimeProvider time, ILogger<VrpSweepService> logger)
    {
        _clients = clients;
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<VrpConsentSetup> CreateConsentAsync(string bank, VrpConsentTerms terms, string operationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bank);
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        var client = _clients.GetVrp(bank);
        var consent = await client.CreateConsentAsync(terms, "vrpc-" + Hash(operationId)[..32], cancellationToken).ConfigureAwait(false);
        var stored = new StoredVrpConsent(consent.ConsentId, bank, consent.Status, consent.Created, consent.Terms, consent.Creditor, consent.Debtor, null, null, null);
        await _store.UpsertConsentAsync(stored, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var authorization = await client.BuildAuthorizationUrlAsync(consent.ConsentId, cancellationToken).ConfigureAwait(false);
        LogConsentCreated(bank, consent.ConsentId, terms.MaximumIndividualMinor);
        return new VrpConsentSetup(View(stored), authorization);
    }

    /// <inheritdoc />
    public async Task<VrpConsentView> CompleteAuthorizationAsync(VrpConsentSetup setup, string code, string state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var stored = await RequireConsentAsync(setup.Consent.ConsentId, cancellationToken).ConfigureAwait(false);
        var client = _clients.GetVrp(stored.Bank);
        var tokens = await client.CompleteAuthorizationAsync(setup.Authorization, code, state, cancellationToken).ConfigureAwait(false);
        var atBank = await client.GetConsentAsync(stored.ConsentId, cancellationToken).ConfigureAwait(false);
        var updated = stored with
        {
            Status = atBank.Status,
            Debtor = atBank.Debtor ?? stored.Debtor,
            AccessToken = tokens.Access.Value,
            AccessExpires = tokens.Access.ExpiresOn,
            RefreshToken = tokens.RefreshToken,
        };
        await _store.UpsertConsentAsync(updated, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return View(updated);
    }

    /// <inheritdoc />
    public async Task<VrpConsentView> AuthorizeHeadlessAsync(VrpConsentSetup setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var client = _clients.GetVrp(setup.Consent.Bank);
        var code = await client.AuthorizeHeadlessAsync(setup.Authorization, cancellationToken).ConfigureAwait(false);
        return await CompleteAuthorizationAsync(setup, code, setup.Authorization.State, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<VrpConsentView?> GetConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        var stored = await _store.GetConsentAsync(consentId, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : View(stored);
    }

    /// <inheritdoc />
    public async Task<SweepOutcome> StartSweepAsync(string consentId, string operationId, long amountMinor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMinor);
        var gate = _locks.GetOrAdd(operationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await _store.GetSweepAsync(operationId, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                if (existing.ConsentId != consentId || existing.AmountMinor != amountMinor)
                {
                    return new SweepOutcome(SweepOutcomeKind.Refused, existing, SweepRefusal.OperationIdReused,
                        $"operation {operationId} is a sweep of {existing.AmountMinor} under consent {existing.ConsentId}");
                }

                // A repeat: never a second payment. A sweep whose first answer was lost is resent as the same request.
                var current = existing.State == SweepState.Pending ? await SendAsync(existing, cancellationToken).ConfigureAwait(false) : existing;
                return new SweepOutcome(SweepOutcomeKind.Exists, current, current.Refusal, current.RefusalDetail);
            }

            var consent = await _store.GetConsentAsync(consentId, cancellationToken).ConfigureAwait(false);
            if (consent is null)
            {
                return new SweepOutcome(SweepOutcomeKind.Refused, null, SweepRefusal.ConsentUnknown, $"consent {consentId} is not known here");
            }

            var now = _time.GetUtcNow();
            var sweep = new SweepStatus(operationId, consent.Bank, consentId, amountMinor, SweepState.Pending, null, null, null, null, [], null, now, now);
            var refusal = ConsentRefusal(consent, now);
            if (refusal is null)
            {
                refusal = await _store.TryInsertSweepAsync(sweep, counted => LimitRefusal(consent, counted, amountMinor, now), cancellationToken).ConfigureAwait(false);
                if (refusal is null)
                {
                    LogSweepSaved(consent.Bank, operationId, consentId, amountMinor);
                    var sent = await SendAsync((await _store.GetSweepAsync(operationId, cancellationToken).ConfigureAwait(false))!, cancellationToken).ConfigureAwait(false);
                    return new SweepOutcome(sent.State == SweepState.Refused ? SweepOutcomeKind.Refused : SweepOutcomeKind.Started, sent, sent.Refusal, sent.RefusalDetail);
                }
            }

            // Refused before the bank was called: kept as a final row, so a repeat gets the same answer.
            var (reason, detail) = refusal.Value;
            var refused = sweep with { State = SweepState.Refused, Refusal = reason, RefusalDetail = detail };
            await _store.TryInsertSweepAsync(refused, _ => null, cancellationToken).ConfigureAwait(false);
            LogSweepRefused(consent.Bank, operationId, reason, detail);
            return new SweepOutcome(SweepOutcomeKind.Refused, await _store.GetSweepAsync(operationId, cancellationToken).ConfigureAwait(false), reason, detail);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<SweepStatus?> GetSweepStatusAsync(string operationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return _store.GetSweepAsync(operationId, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SweepStatus> AdvanceSweepAsync(string operationId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        var gate = _locks.GetOrAdd(operationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sweep = await _store.GetSweepAsync(operationId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"No sweep with operation id {operationId}.");
            switch (sweep.State)
            {
                case SweepState.Pending:
                    return await SendAsync(sweep, cancellationToken).ConfigureAwait(false);
                case SweepState.Submitted:
                    var payment = await _clients.GetVrp(sweep.Bank).GetPaymentAsync(sweep.PaymentId!, cancellationToken).ConfigureAwait(false);
                    return await ApplyStatusAsync(sweep, payment, "poll", cancellationToken).ConfigureAwait(false);
                default:
                    return sweep;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task<SweepStatus> PollUntilFinalAsync(string operationId, TimeSpan interval, int maxPolls, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPolls);
        var sweep = await AdvanceSweepAsync(operationId, cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < maxPolls && !sweep.IsFinal; i++)
        {
            await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            sweep = await AdvanceSweepAsync(operationId, cancellationToken).ConfigureAwait(false);
        }

        return sweep;
    }

    /// <inheritdoc />
    public async Task<long> AvailableAllowanceAsync(string consentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        var consent = await _store.GetConsentAsync(consentId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (consent is null || ConsentRefusal(consent, now) is not null)
        {
            return 0;
        }

        return Allowance(consent, await _store.CountedSweepsAsync(consentId, cancellationToken).ConfigureAwait(false), now);
    }

    /// <summary>What may still be swept now: MaximumIndividualAmount capped by what each periodic limit has left.</summary>
    internal static long Allowance(StoredVrpConsent consent, IReadOnlyList<SweepStatus> counted, DateTimeOffset now)
    {
        var left = consent.Terms.MaximumIndividualMinor;
        var anchor = consent.Terms.ValidFrom ?? consent.Created;
        foreach (var limit in consent.Terms.PeriodicLimits)
        {
            left = Math.Min(left, limit.AmountMinor - Used(limit, anchor, counted, now));
        }

        return Math.Max(0, left);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SweepStatus>> ResumeAsync(CancellationToken cancellationToken)
    {
        var result = new List<SweepStatus>();
        foreach (var sweep in await _store.UnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                result.Add(await AdvanceSweepAsync(sweep.OperationId, cancellationToken).ConfigureAwait(false));
            }
            catch (BankApiException ex)
            {
                LogResumeFailed(sweep.Bank, sweep.OperationId, ex.Message);
                result.Add(sweep);
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task RevokeConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        var stored = await RequireConsentAsync(consentId, cancellationToken).ConfigureAwait(false);
        await _clients.GetVrp(stored.Bank).DeleteConsentAsync(consentId, cancellationToken).ConfigureAwait(false);
        await _store.UpsertConsentAsync(stored with { Status = VrpConsentStatus.Revoked }, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A verified resource-update notification for a domestic VRP: the payment is read from the bank (a duplicate or
    /// out-of-order delivery cannot move a sweep back); a payment whose creation answer was lost is matched to its
    /// Pending sweep through the instruction id.
    /// </summary>
    public async Task<SweepStatus?> ApplyResourceUpdateAsync(string bank, string paymentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bank);
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        var payment = await _clients.GetVrp(bank).GetPaymentAsync(paymentId, cancellationToken).ConfigureAwait(false);
        var sweep = await _store.FindByPaymentAsync(bank, paymentId, cancellationToken).ConfigureAwait(false);
        if (sweep is null)
        {
            var pending = await _store.UnfinishedAsync(cancellationToken).ConfigureAwait(false);
            sweep = pending.FirstOrDefault(s => s.Bank == bank && s.ConsentId == payment.ConsentId && s.State == SweepState.Pending
                && VrpClient.InstructionIdFor(s.OperationId) == payment.InstructionIdentification);
        }

        if (sweep is null)
        {
            LogUnknownPayment(bank, paymentId);
            return null;
        }

        var gate = _locks.GetOrAdd(sweep.OperationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            sweep = (await _store.GetSweepAsync(sweep.OperationId, cancellationToken).ConfigureAwait(false))!;
            return await ApplyStatusAsync(sweep, payment, "notification", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The audited transitions of a sweep, oldest first (tests and support).</summary>
    public Task<IReadOnlyList<string>> TransitionsAsync(string operationId, CancellationToken cancellationToken) => _store.TransitionsAsync(operationId, cancellationToken);

    private async Task<SweepStatus> SendAsync(SweepStatus sweep, CancellationToken ct)
    {
        var consent = await RequireConsentAsync(sweep.ConsentId, ct).ConfigureAwait(false);
        var client = _clients.GetVrp(sweep.Bank);
        var tokens = new VrpConsentTokens(new AccessToken(consent.AccessToken ?? "", consent.AccessExpires ?? DateTimeOffset.MinValue), consent.RefreshToken);
        VrpSubmission submission;
        try
        {
            submission = await client.SubmitPaymentAsync(consent.ToConsent(), sweep.AmountMinor, VrpClient.InstructionIdFor(sweep.OperationId), tokens,
                VrpClient.IdempotencyKeyFor(sweep.OperationId), (renewed, c) => SaveTokensAsync(consent, renewed, c), ct).ConfigureAwait(false);
        }
        catch (BankApiException ex)
        {
            // Transient or ambiguous (the bank may hold the payment): the sweep stays Pending; the next advance, a
            // repeat of the start, or a notification finds the payment through the same key.
            LogSendFailed(sweep.Bank, sweep.OperationId, ex.Message);
            return await UpdateAsync(sweep, sweep with { LastError = ex.Message, Updated = _time.GetUtcNow() }, "send-failed", ct).ConfigureAwait(false);
        }

        if (submission.Payment is null)
        {
            if (submission.IsConsentRefusal)
            {
                await RefreshConsentStatusAsync(consent, ct).ConfigureAwait(false);
            }

            var detail = "the bank refused the sweep (" + string.Join(", ", submission.RefusalCodes) + ")";
            LogSweepRefused(sweep.Bank, sweep.OperationId, SweepRefusal.BankRefused, detail);
            return await UpdateAsync(sweep, sweep with
            {
                State = SweepState.Refused,
                Refusal = SweepRefusal.BankRefused,
                RefusalDetail = detail,
                BankErrorCodes = submission.RefusalCodes,
                LastError = null,
                Updated = _time.GetUtcNow(),
            }, "bank-refused", ct).ConfigureAwait(false);
        }

        return await ApplyStatusAsync(sweep, submission.Payment, "submitted", ct).ConfigureAwait(false);
    }

    /// <summary>Forward-only: a final sweep never changes; an earlier or unknown bank status is ignored.</summary>
    private async Task<SweepStatus> ApplyStatusAsync(SweepStatus sweep, VrpPayment payment, string @event, CancellationToken ct)
    {
        if (sweep.IsFinal || (sweep.PaymentId is not null && sweep.PaymentId != payment.PaymentId) || payment.AmountMinor != sweep.AmountMinor || payment.ConsentId != sweep.ConsentId)
        {
            return sweep;
        }

        var status = payment.Status;
        if (status.Kind == PaymentStatusKind.Unknown || (sweep.BankStatus is { } old && sweep.PaymentId is not null && Rank(status) <= Rank(old)))
        {
            return sweep;
        }

        var state = status.Kind == PaymentStatusKind.Rejected ? SweepState.Rejected
            : status.IsSettled ? SweepState.Completed
            : SweepState.Submitted;
        var updated = await UpdateAsync(sweep, sweep with { State = state, PaymentId = payment.PaymentId, BankStatus = status, LastError = null, Updated = _time.GetUtcNow() }, @event, ct).ConfigureAwait(false);
        if (updated.IsFinal)
        {
            LogSweepFinal(updated.Bank, updated.OperationId, updated.State, status.Code);
        }

        return updated;
    }

    private async Task<SweepStatus> UpdateAsync(SweepStatus before, SweepStatus after, string @event, CancellationToken ct)
    {
        if (await _store.TryUpdateSweepAsync(before, after, @event, ct).ConfigureAwait(false))
        {
            return (await _store.GetSweepAsync(after.OperationId, ct).ConfigureAwait(false))!;
        }

        // Another process moved it meanwhile: its row is the truth.
        return (await _store.GetSweepAsync(after.OperationId, ct).ConfigureAwait(false))!;
    }

    private async ValueTask SaveTokensAsync(StoredVrpConsent consent, VrpConsentTokens renewed, CancellationToken ct) =>
        await _store.UpsertConsentAsync(consent with { AccessToken = renewed.Access.Value, AccessExpires = renewed.Access.ExpiresOn, RefreshToken = renewed.RefreshToken }, _time.GetUtcNow(), ct).ConfigureAwait(false);

    private async Task RefreshConsentStatusAsync(StoredVrpConsent consent, CancellationToken ct)
    {
        try
        {
            var atBank = await _clients.GetVrp(consent.Bank).GetConsentAsync(consent.ConsentId, ct).ConfigureAwait(false);
            await _store.UpsertConsentAsync(consent with { Status = atBank.Status }, _time.GetUtcNow(), ct).ConfigureAwait(false);
        }
        catch (BankApiException ex)
        {
            LogResumeFailed(consent.Bank, consent.ConsentId, ex.Message);
        }
    }

    private async Task<StoredVrpConsent> RequireConsentAsync(string consentId, CancellationToken ct) =>
        await _store.GetConsentAsync(consentId, ct).ConfigureAwait(false) ?? throw new KeyNotFoundException($"No VRP consent {consentId} is stored.");

    private static (SweepRefusal, string)? ConsentRefusal(StoredVrpConsent consent, DateTimeOffset now)
    {
        if (consent.Status == VrpConsentStatus.Revoked)
        {
            return (SweepRefusal.ConsentRevoked, "the consent was revoked");
        }

        if (consent.Status == VrpConsentStatus.Expired || consent.Terms.ValidTo <= now)
        {
            return (SweepRefusal.ConsentOutsideValidity, "the consent is past its ValidToDateTime");
        }

        if (consent.Terms.ValidFrom > now)
        {
            return (SweepRefusal.ConsentOutsideValidity, "the consent is not valid before its ValidFromDateTime");
        }

        return consent.Status != VrpConsentStatus.Authorised || consent.AccessToken is null
            ? (SweepRefusal.ConsentNotAuthorised, $"the consent is {consent.Status}, not authorised")
            : null;
    }

    /// <summary>The consent's limits against the sweeps that count (Pending, Submitted, Completed), as the bank applies them.</summary>
    internal static (SweepRefusal, string)? LimitRefusal(StoredVrpConsent consent, IReadOnlyList<SweepStatus> counted, long amountMinor, DateTimeOffset now)
    {
        var terms = consent.Terms;
        if (amountMinor > terms.MaximumIndividualMinor)
        {
            return (SweepRefusal.ExceedsMaximumIndividualAmount, $"{Pence(amountMinor)} exceeds the maximum per sweep of {Pence(terms.MaximumIndividualMinor)}");
        }

        var anchor = terms.ValidFrom ?? consent.Created;
        for (var i = 0; i < terms.PeriodicLimits.Count; i++)
        {
            var limit = terms.PeriodicLimits[i];
            var used = Used(limit, anchor, counted, now);
            if (used + amountMinor > limit.AmountMinor)
            {
                return (SweepRefusal.ExceedsPeriodicLimit,
                    $"PeriodicLimits[{i.ToString(CultureInfo.InvariantCulture)}] ({limit.PeriodTypeCode}, {limit.Alignment}): {Pence(used)} already swept this period + {Pence(amountMinor)} exceeds {Pence(limit.AmountMinor)}");
            }
        }

        return null;
    }

    private static long Used(VrpPeriodicLimit limit, DateTimeOffset anchor, IReadOnlyList<SweepStatus> counted, DateTimeOffset now)
    {
        var (start, end) = limit.PeriodAt(anchor, now);

        // Sweeps stamped before the anchor (this clock behind the bank's) belong to the first period, not to none.
        var first = start <= anchor;
        return counted.Where(s => (s.Created >= start || first) && s.Created < end).Sum(s => s.AmountMinor);
    }

    private static VrpConsentView View(StoredVrpConsent c) =>
        new(c.ConsentId, c.Bank, c.Status, c.Terms, c.Created, c.Debtor, c.Status == VrpConsentStatus.Authorised && c.AccessToken is not null);

    private static int Rank(PaymentStatus status) => status.Kind switch
    {
        PaymentStatusKind.Received => 1,
        PaymentStatusKind.Pending => 2,
        PaymentStatusKind.Accepted => 3,
        PaymentStatusKind.SettlementInProcess => 4,
        PaymentStatusKind.AcceptedWithoutPosting => 5,
        PaymentStatusKind.SettlementCompleted => 6,
        PaymentStatusKind.Completed => 7,
        PaymentStatusKind.Rejected => 8,
        _ => 0,
    };

    private static string Pence(long minor) => new Money(minor, "GBP").ToString();

    private static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: sweeping consent {ConsentId} created (maximum {Maximum} minor units per sweep)")]
    private partial void LogConsentCreated(string bank, string consentId, long maximum);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: sweep {OperationId} saved under consent {ConsentId} for {Amount} minor units")]
    private partial void LogSweepSaved(string bank, string operationId, string consentId, long amount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: sweep {OperationId} refused ({Reason}): {Detail}")]
    private partial void LogSweepRefused(string bank, string operationId, SweepRefusal reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: sweep {OperationId} not confirmed yet, stays Pending: {Reason}")]
    private partial void LogSendFailed(string bank, string operationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: sweep {OperationId} is {State} ({Status})")]
    private partial void LogSweepFinal(string bank, string operationId, SweepState state, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: {Id} could not be advanced now: {Reason}")]
    private partial void LogResumeFailed(string bank, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: notification for VRP {PaymentId} that no sweep knows; ignored")]
    private partial void LogUnknownPayment(string bank, string paymentId);
}
