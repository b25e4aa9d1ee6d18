using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Settlement.Ethereum.Addresses;

namespace Settlement.Service.Flows;

/// <summary>
/// Recharges (docs/flows.md): a top-up whose bank step is a sweeping VRP payment under a consent the user authorised
/// once, so no redirect per recharge. The rest is the top-up's path (credit → reserve → fund the channel on chain →
/// post on confirmation), with the same step ids, so the same exactly-once rules hold.
/// </summary>
public sealed partial class SettlementFlows
{
    private const string DefaultRechargeReference = "l2pay recharge";
    private const int MaxConsentIdLength = 128;
    private const int MaxIdempotencyKeyLength = 200;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _consentLocks = new(StringComparer.Ordinal);

    private IBankSweeps Sweeps => _sweeps ?? throw new InvalidOperationException("Recharges need an IBankSweeps: none was given to the flows.");

    private ISweepingConsentStore Consents => _consents ?? throw new InvalidOperationException("Recharges need an ISweepingConsentStore: none was given to the flows.");

    /// <summary>
    /// Registers a sweeping consent the user authorised at their bank against the channel it recharges (idempotent: the
    /// same consent again answers <see cref="SweepingConsentOutcome.AlreadyRegistered"/>). Invalid parameters are refused
    /// as data and store nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The flows were built without a consent store.</exception>
    public async Task<SweepingConsentRegistration> RegisterSweepingConsentAsync(SweepingConsent consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var store = Consents;
        if (Check(consent) is { } problem)
        {
            return new SweepingConsentRegistration(SweepingConsentOutcome.Invalid, null, problem);
        }

        var normalized = consent with
        {
            PayerAddress = consent.PayerAddress.ToLowerInvariant(),
            PayeeAddress = consent.PayeeAddress.ToLowerInvariant(),
            ChannelId = consent.ChannelId.ToLowerInvariant(),
            ValidFrom = consent.ValidFrom.ToUniversalTime(),
            ValidTo = consent.ValidTo?.ToUniversalTime(),
        };
        if (await store.TryInsertSweepingConsentAsync(normalized, cancellationToken).ConfigureAwait(false))
        {
            LogConsentRegistered(normalized.ConsentId, normalized.UserId, normalized.ChannelId);
            return new SweepingConsentRegistration(SweepingConsentOutcome.Registered, normalized, null);
        }

        var existing = (await store.GetSweepingConsentAsync(normalized.ConsentId, cancellationToken).ConfigureAwait(false))!;
        return existing == normalized
            ? new SweepingConsentRegistration(SweepingConsentOutcome.AlreadyRegistered, existing, null)
            : new SweepingConsentRegistration(SweepingConsentOutcome.ExistsWithDifferentParameters, existing, $"consent {normalized.ConsentId} is registered with other parameters");
    }

    /// <summary>The registered consent, or null.</summary>
    /// <exception cref="InvalidOperationException">The flows were built without a consent store.</exception>
    public Task<SweepingConsent?> GetSweepingConsentAsync(string consentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentId);
        return Consents.GetSweepingConsentAsync(consentId, cancellationToken);
    }

    /// <summary>
    /// How much of the consent's periodic limit the recharges started in the period holding <paramref name="at"/> use
    /// (every recharge under it except those the bank rejected), pence.
    /// </summary>
    public async Task<long> GetSweptInPeriodAsync(SweepingConsent consent, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var (start, end) = SweepPeriods.Containing(consent.PeriodType, consent.PeriodAlignment, consent.ValidFrom, at);
        long used = 0;
        foreach (var stored in await _store.ListAsync(FlowKind.Recharge, unfinishedOnly: false, cancellationToken).ConfigureAwait(false))
        {
            if (stored.CreatedAt < start || stored.CreatedAt >= end)
            {
                continue;
            }

            var flow = FlowCodec.DecodeTopup(stored);
            if (flow.Request.SweepingConsentId == consent.ConsentId && flow.State != TopupFlowState.Rejected)
            {
                used = checked(used + flow.Request.AmountPence);
            }
        }

        return used;
    }

    /// <summary>
    /// Stores a recharge (idempotent per consent and <see cref="RechargeRequest.IdempotencyKey"/>) and advances it as
    /// far as it goes. Checked against the registered consent first: a request outside its validity or limits, or that
    /// names an existing recharge with other parameters, is refused as data; nothing is stored and the bank is not
    /// called. A repeat of an accepted request answers the stored flow (never a second payment), even once the period's
    /// limit is used up.
    /// </summary>
    /// <exception cref="InvalidOperationException">The flows were built without sweeps or a consent store.</exception>
    public async Task<RechargeStart> StartRechargeAsync(RechargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = Sweeps;
        if (string.IsNullOrEmpty(request.IdempotencyKey) || request.IdempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            return new RechargeStart(null, false, RechargeRefusal.IdempotencyKeyInvalid, $"the idempotency key must be 1 to {MaxIdempotencyKeyLength} characters");
        }

        if (string.IsNullOrEmpty(request.ConsentId) || request.ConsentId.Length > MaxConsentIdLength
            || await Consents.GetSweepingConsentAsync(request.ConsentId, cancellationToken).ConfigureAwait(false) is not { } consent)
        {
            return new RechargeStart(null, false, RechargeRefusal.ConsentUnknown, $"no sweeping consent '{request.ConsentId}' is registered");
        }

        if (request.ChannelId is { } named && !string.Equals(named, consent.ChannelId, StringComparison.OrdinalIgnoreCase))
        {
            return new RechargeStart(null, false, RechargeRefusal.ChannelMismatch, $"consent {consent.ConsentId} recharges channel {consent.ChannelId}, not {named}");
        }

        if (request.AmountPence <= 0)
        {
            return new RechargeStart(null, false, RechargeRefusal.AmountNotPositive, string.Create(CultureInfo.InvariantCulture, $"amount {request.AmountPence}p is not positive"));
        }

        var id = FlowIds.Recharge(consent.ConsentId, request.IdempotencyKey);
        var topup = new TopupRequest
        {
            FlowId = id, UserId = consent.UserId, Bank = consent.Bank, AmountPence = request.AmountPence, PayerAddress = consent.PayerAddress,
            PayeeAddress = consent.PayeeAddress, ChannelId = consent.ChannelId, Reference = DefaultRechargeReference, SweepingConsentId = consent.ConsentId,
        };

        // One start at a time per consent, so two recharges cannot both take the period's last headroom.
        var gate = _consentLocks.GetOrAdd(consent.ConsentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var created = false;
        try
        {
            if (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                if (stored.Kind != FlowKind.Recharge)
                {
                    return new RechargeStart(null, false, RechargeRefusal.ExistsAsOtherKind, $"flow {id:N} is a {stored.Kind}");
                }

                var existing = FlowCodec.DecodeTopup(stored);
                if (existing.Request != topup)
                {
                    return new RechargeStart(existing, false, RechargeRefusal.ExistsWithDifferentParameters, $"recharge key '{request.IdempotencyKey}' exists with other parameters");
                }

                if (existing.IsFinished)
                {
                    return new RechargeStart(existing, false, null, null);
                }
            }
            else
            {
                var now = _time.GetUtcNow();
                if (await CheckLimitsAsync(consent, request.AmountPence, now, cancellationToken).ConfigureAwait(false) is { } refusal)
                {
                    LogRechargeRefused(consent.ConsentId, refusal.Refusal, refusal.Detail);
                    return new RechargeStart(null, false, refusal.Refusal, refusal.Detail);
                }

                var flow = new TopupFlow { Id = id, Request = topup, State = TopupFlowState.Created, Version = 1, CreatedAt = now, UpdatedAt = now };
                created = await _store.TryInsertAsync(FlowCodec.Encode(flow), "created", cancellationToken).ConfigureAwait(false);
                if (created)
                {
                    LogRechargeStarted(id, request.AmountPence, consent.ConsentId);
                }
            }
        }
        finally
        {
            gate.Release();
        }

        await AdvanceAsync(id, cancellationToken).ConfigureAwait(false);
        return new RechargeStart(await GetRechargeAsync(id, cancellationToken).ConfigureAwait(false), created, null, null);
    }

    private async Task<(RechargeRefusal Refusal, string Detail)?> CheckLimitsAsync(SweepingConsent consent, long amount, DateTimeOffset now, CancellationToken ct)
    {
        if (now < consent.ValidFrom)
        {
            return (RechargeRefusal.ConsentNotYetValid, $"consent {consent.ConsentId} is valid from {consent.ValidFrom:O}");
        }

        if (consent.ValidTo is { } to && now >= to)
        {
            return (RechargeRefusal.ConsentExpired, $"consent {consent.ConsentId} expired at {to:O}");
        }

        if (amount > consent.MaxPerPaymentPence)
        {
            return (RechargeRefusal.OverPaymentLimit, string.Create(CultureInfo.InvariantCulture, $"{amount}p is above the consent's {consent.MaxPerPaymentPence}p per payment"));
        }

        var used = await GetSweptInPeriodAsync(consent, now, ct).ConfigureAwait(false);
        if (amount > consent.MaxPerPeriodPence - used)
        {
            return (RechargeRefusal.OverPeriodLimit, string.Create(
                CultureInfo.InvariantCulture, $"{amount}p is above the {consent.MaxPerPeriodPence - used}p left of the consent's {consent.MaxPerPeriodPence}p per {consent.PeriodType}"));
        }

        return null;
    }

    private static string? Check(SweepingConsent c)
    {
        if (string.IsNullOrWhiteSpace(c.ConsentId) || c.ConsentId.Length > MaxConsentIdLength || c.ConsentId.Any(char.IsControl))
        {
            return $"the consent id must be 1 to {MaxConsentIdLength} printable characters";
        }

        if (string.IsNullOrWhiteSpace(c.UserId) || c.UserId.Length > 100)
        {
            return "the user id must be 1 to 100 characters";
        }

        if (string.IsNullOrWhiteSpace(c.Bank))
        {
            return "no bank named";
        }

        if (!Address.TryParse(c.PayerAddress, out _) || !Address.TryParse(c.PayeeAddress, out _))
        {
            return "the payer and payee must be chain addresses";
        }

        if (!IsChannelId(c.ChannelId))
        {
            return $"channel id '{c.ChannelId}' is not 0x + 64 hex digits";
        }

        if (c.MaxPerPaymentPence <= 0 || c.MaxPerPeriodPence < c.MaxPerPaymentPence)
        {
            return "the limits must be 0 < per payment ≤ per period";
        }

        if (!Enum.IsDefined(c.PeriodType) || !Enum.IsDefined(c.PeriodAlignment))
        {
            return "unknown period type or alignment";
        }

        if (c.PeriodType == SweepPeriodType.Fortnight && c.PeriodAlignment == SweepPeriodAlignment.Calendar)
        {
            return "a Fortnight limit must be consent-aligned (OBIE VRP)";
        }

        return c.ValidTo is { } to && to <= c.ValidFrom ? "the consent ends before it starts" : null;
    }

    private static FlowProblem SweepProblem(BankSweepResult sweep)
    {
        var code = sweep.Refusal switch
        {
            BankSweepRefusal.ConsentUnknown => "sweep-consent-unknown",
            BankSweepRefusal.ConsentNotAuthorised => "sweep-consent-not-authorised",
            BankSweepRefusal.ConsentRevoked => "sweep-consent-revoked",
            BankSweepRefusal.ConsentExpired => "sweep-consent-expired",
            BankSweepRefusal.PerPaymentLimit => "sweep-per-payment-limit",
            BankSweepRefusal.PeriodLimit => "sweep-period-limit",
            BankSweepRefusal.InsufficientFunds => "sweep-insufficient-funds",
            _ => "sweep-" + sweep.Status.ToString().ToLowerInvariant(),
        };
        return new FlowProblem(code, sweep.Detail ?? sweep.Refusal?.ToString() ?? sweep.Status.ToString());
    }

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Sweeping consent {ConsentId} registered for user {UserId}, channel {ChannelId}")]
    private partial void LogConsentRegistered(string consentId, string userId, string channelId);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Recharge {FlowId} started: {AmountPence}p under consent {ConsentId}")]
    private partial void LogRechargeStarted(Guid flowId, long amountPence, string consentId);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Recharge under consent {ConsentId} refused: {Refusal} ({Detail})")]
    private partial void LogRechargeRefused(string consentId, RechargeRefusal refusal, string detail);
}
