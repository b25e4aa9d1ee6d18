using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;

namespace Settlement.OpenBanking.Vrp;

/// <summary>
/// OBIE VRP v4.0 client for one bank (sweeping): domestic-vrp-consents (create, get, delete, funds confirmation) and
/// domestic-vrps (create, get). It rides on the bank's <see cref="PisClient"/> transport: the same signed requests
/// (detached JWS, <c>x-idempotency-key</c>, <c>x-fapi-interaction-id</c>), verified responses, resilience pipeline
/// and client-credentials refresh on 401. Calls with the customer's consent token refresh it once (refresh_token
/// grant) when the bank answers 401 or when it has expired. Refusals of a payment (a limit, the consent's state) are
/// returned as data (<see cref="VrpSubmission"/>), not thrown.
/// </summary>
public sealed partial class VrpClient
{
    private const string Gbp = "GBP";
    private const string Sweeping = "UK.OBIE.VRPType.Sweeping";
    private const string AuthenticationMethod = "UK.OBIE.SCANotRequired";

    private readonly PisClient _pis;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal VrpClient(PisClient pis, TimeProvider time, ILogger logger)
    {
        if (pis.Version != ObieVersion.V4_0)
        {
            throw new InvalidOperationException($"Bank '{pis.Bank}': VRP needs SpecVersion V4_0 (OpenBanking:Banks:{pis.Bank}:SpecVersion).");
        }

        _pis = pis;
        _time = time;
        _logger = logger;
    }

    /// <summary>The configured bank name.</summary>
    public string Bank => _pis.Bank;

    /// <summary>The platform's account at this bank: the creditor of every sweep.</summary>
    public AccountIdentification PlatformAccount => _pis.PlatformAccount;

    /// <summary>POST domestic-vrp-consents (client-credentials token): a sweeping consent to the platform account.</summary>
    /// <exception cref="ArgumentException">The terms are unusable (<see cref="VrpConsentTerms.Problem"/>).</exception>
    public async Task<VrpConsent> CreateConsentAsync(VrpConsentTerms terms, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(terms));
        }

        CheckKey(idempotencyKey);
        var body = Encode(ConsentRequest(terms));
        var response = await _pis.SendAsync(HttpMethod.Post, "/domestic-vrp-consents", body, _pis.ClientToken, idempotencyKey, cancellationToken).ConfigureAwait(false);
        var consent = ParseConsent(response);
        if (consent.Terms.MaximumIndividualMinor != terms.MaximumIndividualMinor || consent.Terms.PeriodicLimits.Count != terms.PeriodicLimits.Count
            || consent.Creditor.Identification != PlatformAccount.Identification)
        {
            throw Invalid(BankResponseProblem.ResourceMismatch, "the consent's control parameters or creditor differ from those requested", response);
        }

        return consent;
    }

    /// <summary>GET domestic-vrp-consents/{ConsentId}.</summary>
    public async Task<VrpConsent> GetConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        var response = await _pis.SendAsync(HttpMethod.Get, "/domestic-vrp-consents/" + Uri.EscapeDataString(consentId), null, _pis.ClientToken, null, cancellationToken).ConfigureAwait(false);
        var consent = ParseConsent(response);
        return consent.ConsentId == consentId ? consent : throw Invalid(BankResponseProblem.ResourceMismatch, "consent id differs from the one requested", response);
    }

    /// <summary>DELETE domestic-vrp-consents/{ConsentId}: the consent is revoked and no further sweep can be made under it.</summary>
    public async Task DeleteConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        await _pis.SendAsync(HttpMethod.Delete, "/domestic-vrp-consents/" + Uri.EscapeDataString(consentId), null, _pis.ClientToken, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The authorisation URL for the consent (request object with the intent id, PKCE), as for PIS.</summary>
    public Task<AuthorizationRequest> BuildAuthorizationUrlAsync(string consentId, CancellationToken cancellationToken) =>
        _pis.BuildAuthorizationUrlAsync(consentId, cancellationToken);

    /// <summary>Follows the authorisation URL without a browser (sandboxes with HeadlessAuthorization); returns the code.</summary>
    public Task<string> AuthorizeHeadlessAsync(AuthorizationRequest request, CancellationToken cancellationToken) =>
        _pis.AuthorizeHeadlessAsync(request, cancellationToken);

    /// <summary>
    /// Exchanges the redirect's code (state checked) for the consent's access and refresh tokens, after
    /// verifying the ID token that comes with them as for PIS (nonce, signature, iss, aud, exp, intent id).
    /// </summary>
    /// <exception cref="BankResponseInvalidException"><see cref="BankResponseProblem.IdTokenInvalid"/>: no token is returned.</exception>
    public async Task<VrpConsentTokens> CompleteAuthorizationAsync(AuthorizationRequest request, string code, string state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(code);
        if (!string.Equals(request.State, state, StringComparison.Ordinal))
        {
            throw new BankAuthorizationException(Bank, "state_mismatch", "the redirect's state does not belong to this authorisation request");
        }

        var discovery = await _pis.Metadata.GetDiscoveryAsync(cancellationToken).ConfigureAwait(false);
        var (access, refresh, idToken) = await _pis.Tokens.ExchangeCodeForConsentAsync(discovery.TokenEndpoint, code, request.CodeVerifier, cancellationToken).ConfigureAwait(false);
        await _pis.VerifyIdTokenAsync(request, code, idToken, access, cancellationToken).ConfigureAwait(false);
        return new VrpConsentTokens(access, refresh);
    }

    /// <summary>A new access token from the refresh token (the bank may rotate the refresh token).</summary>
    /// <exception cref="BankAuthorizationException">No refresh token, or the bank refused it (consent revoked or expired).</exception>
    public async Task<VrpConsentTokens> RefreshAsync(VrpConsentTokens tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.RefreshToken is null)
        {
            throw new BankAuthorizationException(Bank, "no_refresh_token", "the bank gave no refresh token for this consent; it must be authorised again");
        }

        var discovery = await _pis.Metadata.GetDiscoveryAsync(cancellationToken).ConfigureAwait(false);
        var (access, refresh) = await _pis.Tokens.RefreshConsentTokenAsync(discovery.TokenEndpoint, tokens.RefreshToken, cancellationToken).ConfigureAwait(false);
        return new VrpConsentTokens(access, refresh ?? tokens.RefreshToken);
    }

    /// <summary>
    /// POST domestic-vrp-consents/{ConsentId}/funds-confirmation with the consent token: whether the payer's account
    /// holds <paramref name="amountMinor"/> now. <paramref name="refreshed"/> is told of a renewed token.
    /// </summary>
    public async Task<FundsAvailability> ConfirmFundsAsync(string consentId, long amountMinor, VrpConsentTokens tokens, Func<VrpConsentTokens, CancellationToken, ValueTask>? refreshed, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMinor);
        var body = Encode(new JsonObject
        {
            ["Data"] = new JsonObject { ["ConsentId"] = consentId, ["InstructedAmount"] = Amount(amountMinor) },
        });
        var response = await WithConsentTokenAsync(HttpMethod.Post, $"/domestic-vrp-consents/{Uri.EscapeDataString(consentId)}/funds-confirmation", body, null, tokens, refreshed, cancellationToken).ConfigureAwait(false);
        var data = Data(response);
        var result = data["FundsAvailableResult"];
        var available = Str(result, "FundsAvailable") switch
        {
            "Available" => true,
            "NotAvailable" => false,
            _ => throw Invalid(BankResponseProblem.Malformed, "FundsAvailableResult.FundsAvailable is neither Available nor NotAvailable", response),
        };
        return new FundsAvailability(available, Time(Str(result, "FundsAvailableDateTime")));
    }

    /// <summary>
    /// POST domestic-vrps with the consent token: a sweep of <paramref name="amountMinor"/> to the platform account. Safe
    /// to repeat after an ambiguous failure: the same <paramref name="idempotencyKey"/> and
    /// <paramref name="instructionId"/> give the same bytes, and the bank returns the payment it already made. A 4xx
    /// refusal (limit, consent state, mismatch) comes back as <see cref="VrpSubmission.RefusalCodes"/>.
    /// </summary>
    public async Task<VrpSubmission> SubmitPaymentAsync(VrpConsent consent, long amountMinor, string instructionId, VrpConsentTokens tokens, string idempotencyKey,
        Func<VrpConsentTokens, CancellationToken, ValueTask>? refreshed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMinor);
        ArgumentException.ThrowIfNullOrEmpty(instructionId);
        CheckKey(idempotencyKey);
        var body = Encode(PaymentRequest(consent, amountMinor, instructionId));
        BankResponse response;
        try
        {
            response = await WithConsentTokenAsync(HttpMethod.Post, "/domestic-vrps", body, idempotencyKey, tokens, refreshed, cancellationToken).ConfigureAwait(false);
        }
        catch (BankRequestRejectedException rejected)
        {
            LogRefused(Bank, consent.ConsentId, string.Join(',', rejected.ErrorCodes));
            return new VrpSubmission(null, rejected.ErrorCodes);
        }

        var payment = ParsePayment(response);
        if (payment.ConsentId != consent.ConsentId || payment.AmountMinor != amountMinor || payment.InstructionIdentification != instructionId)
        {
            throw Invalid(BankResponseProblem.ResourceMismatch, "the VRP's consent, amount or instruction differs from the one submitted", response);
        }

        return new VrpSubmission(payment, []);
    }

    /// <summary>GET domestic-vrps/{DomesticVRPId} (client-credentials token).</summary>
    public async Task<VrpPayment> GetPaymentAsync(string paymentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        var response = await _pis.SendAsync(HttpMethod.Get, "/domestic-vrps/" + Uri.EscapeDataString(paymentId), null, _pis.ClientToken, null, cancellationToken).ConfigureAwait(false);
        var payment = ParsePayment(response);
        return payment.PaymentId == paymentId ? payment : throw Invalid(BankResponseProblem.ResourceMismatch, "payment id differs from the one requested", response);
    }

    /// <summary>The instruction id of a sweep: derived from the operation id, so a resend carries the same bytes.</summary>
    public static string InstructionIdFor(string operationId) => "sw-" + Hash(operationId)[..32];

    /// <summary>The x-idempotency-key of a sweep (at most 40 characters, OBIE).</summary>
    public static string IdempotencyKeyFor(string operationId) => "vrp-" + Hash(operationId)[..32];

    private async Task<BankResponse> WithConsentTokenAsync(HttpMethod method, string path, byte[] body, string? key, VrpConsentTokens tokens,
        Func<VrpConsentTokens, CancellationToken, ValueTask>? refreshed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var current = tokens;
        if (current.Access.ExpiresOn <= _time.GetUtcNow() && current.CanRefresh)
        {
            current = await RenewAsync(current, refreshed, ct).ConfigureAwait(false);
        }

        try
        {
            return await _pis.SendAsync(method, path, body, _ => ValueTask.FromResult(current.Access), key, ct).ConfigureAwait(false);
        }
        catch (BankAuthenticationException first) when (current.CanRefresh)
        {
            // 401: nothing was processed. One renewed token and the same request (same key, same bytes) cannot
            // create a second payment.
            LogConsentTokenRefused(Bank, path, first.InteractionId);
            current = await RenewAsync(current, refreshed, ct).ConfigureAwait(false);
            try
            {
                return await _pis.SendAsync(method, path, body, _ => ValueTask.FromResult(current.Access), key, ct).ConfigureAwait(false);
            }
            catch (BankAuthenticationException again)
            {
                throw new BankAuthenticationException(Bank, $"{method} {path}: the bank refused the consent token, also after one refresh", again.InteractionId, again.ErrorCodes);
            }
        }
    }

    private async Task<VrpConsentTokens> RenewAsync(VrpConsentTokens tokens, Func<VrpConsentTokens, CancellationToken, ValueTask>? refreshed, CancellationToken ct)
    {
        var renewed = await RefreshAsync(tokens, ct).ConfigureAwait(false);
        if (refreshed is not null)
        {
            await refreshed(renewed, ct).ConfigureAwait(false);
        }

        return renewed;
    }

    // ---- wire ----
    private JsonObject ConsentRequest(VrpConsentTerms terms)
    {
        var cp = new JsonObject();
        if (terms.ValidFrom is { } from)
        {
            cp["ValidFromDateTime"] = Timestamp(from);
        }

        if (terms.ValidTo is { } to)
        {
            cp["ValidToDateTime"] = Timestamp(to);
        }

        cp["MaximumIndividualAmount"] = Amount(terms.MaximumIndividualMinor);
        cp["PeriodicLimits"] = new JsonArray(terms.PeriodicLimits.Select(l => (JsonNode)new JsonObject
        {
            ["PeriodType"] = l.PeriodTypeCode,
            ["PeriodAlignment"] = l.Alignment.ToString(),
            ["Amount"] = new Money(l.AmountMinor, Gbp).ToObieAmount(),
            ["Currency"] = Gbp,
        }).ToArray());
        cp["VRPType"] = new JsonArray(Sweeping);
        cp["PSUAuthenticationMethods"] = new JsonArray(AuthenticationMethod);
        return new JsonObject
        {
            ["Data"] = new JsonObject { ["ReadRefundAccount"] = "Yes", ["ControlParameters"] = cp, ["Initiation"] = Initiation(PlatformAccount, terms.Debtor) },
            ["Risk"] = Risk(),
        };
    }

    private JsonObject PaymentRequest(VrpConsent consent, long amountMinor, string instructionId) => new()
    {
        ["Data"] = new JsonObject
        {
            ["ConsentId"] = consent.ConsentId,
            ["PSUAuthenticationMethod"] = AuthenticationMethod,
            ["PSUInteractionType"] = "OffSession",
            ["VRPType"] = Sweeping,
            // OBIE: the Initiation must be the consent's, unchanged.
            ["Initiation"] = Initiation(consent.Creditor, consent.Terms.Debtor),
            ["Instruction"] = new JsonObject
            {
                ["InstructionIdentification"] = instructionId,
                ["EndToEndIdentification"] = instructionId,
                ["InstructedAmount"] = Amount(amountMinor),
                ["CreditorAccount"] = AccountNode(consent.Creditor),
            },
        },
        ["Risk"] = Risk(),
    };

    private static JsonObject Initiation(AccountIdentification creditor, AccountIdentification? debtor)
    {
        var initiation = new JsonObject();
        if (debtor is not null)
        {
            initiation["DebtorAccount"] = AccountNode(debtor);
        }

        initiation["CreditorAccount"] = AccountNode(creditor);
        return initiation;
    }

    // Sweeping: the payer moves their own money into their prepaid channel balance.
    private static JsonObject Risk() => new() { ["PaymentContextCode"] = "TransferToSelf" };

    private static JsonObject AccountNode(AccountIdentification a) => new() { ["SchemeName"] = a.SchemeName, ["Identification"] = a.Identification, ["Name"] = a.Name };

    private static JsonObject Amount(long minor) => new() { ["Amount"] = new Money(minor, Gbp).ToObieAmount(), ["Currency"] = Gbp };

    private static string Timestamp(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    private static byte[] Encode(JsonObject body) => Encoding.UTF8.GetBytes(body.ToJsonString());

    private static string Hash(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(operationId)));
    }

    private VrpConsent ParseConsent(BankResponse response)
    {
        var data = Data(response);
        var cp = data["ControlParameters"] as JsonObject ?? throw Invalid(BankResponseProblem.Malformed, "Data.ControlParameters missing", response);
        var initiation = data["Initiation"] as JsonObject ?? throw Invalid(BankResponseProblem.Malformed, "Data.Initiation missing", response);
        var maximum = MinorOf(cp["MaximumIndividualAmount"], response);
        var limits = new List<VrpPeriodicLimit>();
        foreach (var item in cp["PeriodicLimits"] as JsonArray ?? [])
        {
            if (!VrpPeriodicLimit.TryParsePeriodType(Str(item, "PeriodType"), out var type)
                || Str(item, "PeriodAlignment") is not ("Consent" or "Calendar")
                || !Money.TryParseObie(Str(item, "Amount"), Str(item, "Currency"), out var amount) || amount.Value.Currency != Gbp)
            {
                throw Invalid(BankResponseProblem.Malformed, "a PeriodicLimits entry is not understood", response);
            }

            limits.Add(new VrpPeriodicLimit(type, Str(item, "PeriodAlignment") == "Calendar" ? VrpPeriodAlignment.Calendar : VrpPeriodAlignment.Consent, amount.Value.MinorUnits));
        }

        var creditor = Account(initiation["CreditorAccount"]) ?? throw Invalid(BankResponseProblem.Malformed, "Data.Initiation.CreditorAccount missing", response);
        var consentDebtor = Account(initiation["DebtorAccount"]);
        var code = Str(data, "Status") ?? throw Invalid(BankResponseProblem.Malformed, "Data.Status missing", response);
        var terms = new VrpConsentTerms(maximum, limits, Time(Str(cp, "ValidFromDateTime")), Time(Str(cp, "ValidToDateTime")), consentDebtor);
        return new VrpConsent(
            Str(data, "ConsentId") ?? throw Invalid(BankResponseProblem.Malformed, "Data.ConsentId missing", response),
            StatusOf(code),
            code,
            Time(Str(data, "CreationDateTime")) ?? throw Invalid(BankResponseProblem.Malformed, "Data.CreationDateTime missing", response),
            terms,
            creditor,
            Account(data["DebtorAccount"]) ?? consentDebtor);
    }

    private VrpPayment ParsePayment(BankResponse response)
    {
        var data = Data(response);
        var instruction = data["Instruction"] ?? throw Invalid(BankResponseProblem.Malformed, "Data.Instruction missing", response);
        return new VrpPayment(
            Str(data, "DomesticVRPId") ?? throw Invalid(BankResponseProblem.Malformed, "Data.DomesticVRPId missing", response),
            Str(data, "ConsentId") ?? throw Invalid(BankResponseProblem.Malformed, "Data.ConsentId missing", response),
            MinorOf(instruction["InstructedAmount"], response),
            PaymentStatus.FromCode(Str(data, "Status") ?? throw Invalid(BankResponseProblem.Malformed, "Data.Status missing", response)),
            Str(instruction, "InstructionIdentification") ?? throw Invalid(BankResponseProblem.Malformed, "Instruction.InstructionIdentification missing", response),
            Account(data["DebtorAccount"]));
    }

    private JsonNode Data(BankResponse response)
    {
        // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
        // InvalidOperationException only when the string (or a property name) is read, which must not escape here.
        if (!Utf8.IsValid(response.Body))
        {
            throw Invalid(BankResponseProblem.Malformed, "not UTF-8", response);
        }

        try
        {
            return JsonNode.Parse(response.Body)?["Data"] as JsonObject ?? throw Invalid(BankResponseProblem.Malformed, "Data missing", response);
        }
        catch (JsonException e)
        {
            throw Invalid(BankResponseProblem.Malformed, "not JSON: " + e.Message, response);
        }
    }

    private long MinorOf(JsonNode? amount, BankResponse response) =>
        Money.TryParseObie(Str(amount, "Amount"), Str(amount, "Currency"), out var money) && money.Value.Currency == Gbp
            ? money.Value.MinorUnits
            : throw Invalid(BankResponseProblem.Malformed, "an amount is missing, malformed or not GBP", response);

    private static AccountIdentification? Account(JsonNode? node) =>
        Str(node, "SchemeName") is { } scheme && Str(node, "Identification") is { } id ? new AccountIdentification(scheme, id, Str(node, "Name") ?? "") : null;

    private static string? Str(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static DateTimeOffset? Time(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    private static VrpConsentStatus StatusOf(string code) => code switch
    {
        "AWAU" => VrpConsentStatus.AwaitingAuthorisation,
        "AUTH" => VrpConsentStatus.Authorised,
        "RJCT" => VrpConsentStatus.Rejected,
        "CANC" => VrpConsentStatus.Revoked,
        "EXPD" => VrpConsentStatus.Expired,
        _ => VrpConsentStatus.Unknown,
    };

    private static void CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > 40)
        {
            throw new ArgumentException("x-idempotency-key must be at most 40 characters (OBIE).", nameof(key));
        }
    }

    private BankResponseInvalidException Invalid(BankResponseProblem problem, string detail, BankResponse response) =>
        new(Bank, problem, detail, response.Status, response.InteractionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bank {Bank}: VRP under consent {ConsentId} refused by the bank ({Codes})")]
    private partial void LogRefused(string bank, string consentId, string codes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: {Path} answered 401 (interaction {InteractionId}); renewing the consent token once and repeating the request")]
    private partial void LogConsentTokenRefused(string bank, string path, string? interactionId);
}
