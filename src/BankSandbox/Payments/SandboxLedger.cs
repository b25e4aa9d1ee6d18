using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Errors;

namespace Settlement.BankSandbox.Payments;

/// <summary>
/// Consents, payments, idempotency keys and the money movement, under one gate. Status changes are applied in the
/// order they fall due on the sandbox clock, so balances move exactly once and in a reproducible order.
/// </summary>
internal sealed class SandboxLedger
{
    private readonly object _gate;
    private readonly SandboxAccounts _accounts;
    private readonly TimeSpan _acceptanceDelay;
    private readonly TimeSpan _settlementDelay;
    private readonly TimeSpan _idempotencyWindow;
    private readonly Dictionary<string, ConsentRecord> _consents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PaymentRecord> _payments = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Client, string Scope, string Key), IdempotencyEntry> _idempotency = [];
    private readonly List<ConsentRecord> _deadlines = [];
    private readonly List<ConsentRecord> _validTo = [];
    private readonly PriorityQueue<PaymentRecord, (DateTimeOffset Due, long Seq)> _due = new();
    private long _seq;

    public SandboxLedger(object gate, SandboxAccounts accounts, SandboxOptions options)
    {
        _gate = gate;
        _accounts = accounts;
        _acceptanceDelay = options.AcceptanceDelay;
        _settlementDelay = options.SettlementDelay;
        _idempotencyWindow = options.IdempotencyWindow;
    }

    public object Gate => _gate;

    public int ConsentCount
    {
        get
        {
            lock (_gate)
            {
                return _consents.Count;
            }
        }
    }

    public int PaymentCount
    {
        get
        {
            lock (_gate)
            {
                return _payments.Count;
            }
        }
    }

    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Runs <paramref name="prepare"/> once per (client, scope, key): a repeat with the same body hash returns the
    /// first resource id (<paramref name="replayed"/> true); another body is a 400. <paramref name="prepare"/> checks
    /// everything and renders the answer without writing; only then is its commit applied and the key spent, all under
    /// the gate. When prepare throws, nothing is stored and the key stays unused.
    /// </summary>
    public string CreateIdempotent(string clientId, string scope, string key, byte[] bodyHash, DateTimeOffset now, Func<(string Id, Action Commit)> prepare, out bool replayed)
    {
        lock (_gate)
        {
            if (_idempotency.TryGetValue((clientId, scope, key), out var entry) && entry.Expires > now)
            {
                if (!CryptographicOperations.FixedTimeEquals(entry.BodyHash, bodyHash))
                {
                    throw ObProblemException.BadRequest(ObErrorCode.HeaderInvalid, "x-idempotency-key was already used with a different body", "x-idempotency-key");
                }

                replayed = true;
                return entry.ResourceId;
            }

            var (id, commit) = prepare();
            commit();
            _idempotency[(clientId, scope, key)] = new IdempotencyEntry(bodyHash, id, now + _idempotencyWindow);
            replayed = false;
            return id;
        }
    }

    public ConsentRecord AddConsent(ConsentRecord consent)
    {
        lock (_gate)
        {
            _consents.Add(consent.ConsentId, consent);
            if (consent.AuthorisationDeadline is not null)
            {
                _deadlines.Add(consent);
            }

            if (consent.Vrp?.ValidTo is not null)
            {
                _validTo.Add(consent);
            }

            return consent;
        }
    }

    public bool TryGetConsent(string id, out ConsentRecord? consent)
    {
        lock (_gate)
        {
            return _consents.TryGetValue(id, out consent);
        }
    }

    public bool TryGetPayment(string id, out PaymentRecord? payment)
    {
        lock (_gate)
        {
            return _payments.TryGetValue(id, out payment);
        }
    }

    /// <summary>AwaitingAuthorisation → Authorised (with the debtor) or Rejected. False when not awaiting.</summary>
    public bool Decide(string consentId, bool approve, string? debtor, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_consents.TryGetValue(consentId, out var c) || c.State != ConsentState.AwaitingAuthorisation)
            {
                return false;
            }

            if (c.AuthorisationDeadline is { } deadline && now > deadline)
            {
                // Data.Authorisation.CompletionDateTime has passed: the authorisation can no longer complete.
                c.State = ConsentState.Rejected;
                c.StatusUpdated = deadline;
                return false;
            }

            c.State = approve ? ConsentState.Authorised : ConsentState.Rejected;
            c.AuthorisedDebtor = approve ? debtor : null;
            c.StatusUpdated = now;
            return true;
        }
    }

    /// <summary>
    /// Checks the consent and builds the payment without storing anything; the returned commit stores it and consumes
    /// the consent. Caller holds the gate (inside CreateIdempotent).
    /// </summary>
    public (PaymentRecord Payment, Action Commit) PreparePaymentLocked(string clientId, PisVersion version, string consentId, JsonObject initiation, JsonObject risk, DateTimeOffset now)
    {
        if (!_consents.TryGetValue(consentId, out var consent) || consent.Version != version || consent.Vrp is not null)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such consent", "Data.ConsentId");
        }

        if (consent.ClientId != clientId)
        {
            throw ObProblemException.Status403("the consent belongs to another client");
        }

        if (consent.State != ConsentState.Authorised)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidConsentStatus, $"consent is {consent.State}", "Data.ConsentId");
        }

        if (!JsonNode.DeepEquals(consent.Initiation, initiation))
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceConsentMismatch, "Initiation does not match the consent", "Data.Initiation");
        }

        if (!JsonNode.DeepEquals(consent.Risk, risk))
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceConsentMismatch, "Risk does not match the consent", "Risk");
        }

        var payment = new PaymentRecord
        {
            PaymentId = NewId("dp-"),
            ConsentId = consentId,
            ClientId = clientId,
            Version = version,
            Created = now,
            Initiation = (JsonObject)initiation.DeepClone(),
            AmountMinor = consent.AmountMinor,
            DebtorAccount = consent.AuthorisedDebtor ?? consent.DebtorAccount ?? throw new InvalidOperationException("authorised consent without debtor"),
            CreditorAccount = consent.CreditorAccount,
            State = PaymentState.Received,
            StatusUpdated = now,
        };
        payment.History.Add((PaymentState.Received, now));
        return (payment, () =>
        {
            consent.State = ConsentState.Consumed;
            consent.StatusUpdated = now;
            consent.PaymentId = payment.PaymentId;
            _payments.Add(payment.PaymentId, payment);
            _due.Enqueue(payment, (now + _acceptanceDelay, _seq++));
        });
    }

    /// <summary>
    /// Stores a domestic VRP checked by the caller (inside CreateIdempotent, gate held) and schedules its progression;
    /// the consent stays Authorised for the next one.
    /// </summary>
    public void AddVrpPaymentLocked(ConsentRecord consent, PaymentRecord payment)
    {
        consent.Vrp!.Payments.Add(payment);
        _payments.Add(payment.PaymentId, payment);
        _due.Enqueue(payment, (payment.Created + _acceptanceDelay, _seq++));
    }

    /// <summary>TPP deletion of a VRP consent: Revoked (CANC) unless already final. False when it was already revoked or expired.</summary>
    public bool Revoke(ConsentRecord consent, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (consent.State is ConsentState.Revoked or ConsentState.Expired or ConsentState.Rejected)
            {
                return false;
            }

            consent.State = ConsentState.Revoked;
            consent.StatusUpdated = now;
            return true;
        }
    }

    /// <summary>Whether the consent's debtor holds at least <paramref name="amountMinor"/>.</summary>
    public bool FundsAvailable(ConsentRecord consent, long amountMinor)
    {
        lock (_gate)
        {
            var debtor = consent.AuthorisedDebtor ?? consent.DebtorAccount;
            return debtor is not null && _accounts.TryGetLocked(debtor, out var a) && a!.BalanceMinor >= amountMinor;
        }
    }

    /// <summary>Applies every status change due at <paramref name="now"/>, in due order; returns what changed.</summary>
    public List<PaymentRecord> Advance(DateTimeOffset now)
    {
        var changed = new List<PaymentRecord>();
        lock (_gate)
        {
            // Consents whose Authorisation.CompletionDateTime passed while awaiting authorisation are Rejected.
            // VRP consents whose ControlParameters.ValidToDateTime passed are Expired (EXPD).
            _validTo.RemoveAll(c =>
            {
                if (c.State is not (ConsentState.AwaitingAuthorisation or ConsentState.Authorised))
                {
                    return true;
                }

                if (c.Vrp!.ValidTo <= now)
                {
                    c.State = ConsentState.Expired;
                    c.StatusUpdated = c.Vrp.ValidTo.Value;
                    return true;
                }

                return false;
            });

            _deadlines.RemoveAll(c =>
            {
                if (c.State != ConsentState.AwaitingAuthorisation)
                {
                    return true;
                }

                if (c.AuthorisationDeadline <= now)
                {
                    c.State = ConsentState.Rejected;
                    c.StatusUpdated = c.AuthorisationDeadline.Value;
                    return true;
                }

                return false;
            });

            while (_due.TryPeek(out var payment, out var due) && due.Due <= now)
            {
                _due.Dequeue();
                switch (payment.State)
                {
                    case PaymentState.Received:
                        Move(payment, PaymentState.InProcess, due.Due);
                        _due.Enqueue(payment, (due.Due + _settlementDelay, _seq++));
                        break;
                    case PaymentState.InProcess:
                        // The one place money moves: debit (and credit when the creditor banks here) exactly once.
                        var paid = _accounts.TryTransferLocked(payment.DebtorAccount, payment.CreditorAccount, payment.AmountMinor);
                        Move(payment, paid ? PaymentState.Completed : PaymentState.Rejected, due.Due);
                        break;
                    default:
                        continue;
                }

                changed.Add(payment);
            }
        }

        return changed;
    }

    /// <summary>Funds check for the consent's debtor.</summary>
    public bool FundsAvailable(ConsentRecord consent)
    {
        lock (_gate)
        {
            var debtor = consent.AuthorisedDebtor ?? consent.DebtorAccount;
            return debtor is not null && _accounts.TryGetLocked(debtor, out var a) && a!.BalanceMinor >= consent.AmountMinor;
        }
    }

    private static void Move(PaymentRecord payment, PaymentState state, DateTimeOffset at)
    {
        payment.State = state;
        payment.StatusUpdated = at;
        payment.History.Add((state, at));
    }

    private sealed record IdempotencyEntry(byte[] BodyHash, string ResourceId, DateTimeOffset Expires);
}
