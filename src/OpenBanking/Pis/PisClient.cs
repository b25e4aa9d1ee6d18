using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Web;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis.Wire;
using Settlement.OpenBanking.Resilience;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Pis;

/// <summary>
/// OBIE Payment Initiation client for one bank (v3.1.11 or v4.0 by configuration): domestic payment
/// consents, authorisation (redirect with PKCE), funds confirmation, domestic payments, status and
/// payment-details. Every call carries <c>x-fapi-interaction-id</c>; POST bodies are signed with a
/// detached JWS and carry an <c>x-idempotency-key</c>; responses are verified against the bank's
/// JWKS. Calls run through the bank's resilience pipeline (<see cref="BankResilience"/>).
/// </summary>
public sealed partial class PisClient
{
    private readonly BankOptions _options;
    private readonly SigningKey _key;
    private readonly Func<HttpClient> _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IPisDialect _dialect;
    private readonly ResiliencePipeline _pipeline;
    private readonly BankTokenProvider _tokens;

    internal PisClient(string bank, BankOptions options, SigningKey key, Func<HttpClient> http, TimeProvider time, ILogger logger)
    {
        Bank = bank;
        _options = options;
        _key = key;
        _http = http;
        _time = time;
        _logger = logger;
        _dialect = PisDialects.For(options.SpecVersion);
        _pipeline = BankResilience.Create(bank, options, time);
        Metadata = new BankMetadata(bank, options.WellKnownEndpoint!, http, time, logger);
        _tokens = new BankTokenProvider(bank, options, key, http, time);
    }

    /// <summary>The configured bank name.</summary>
    public string Bank { get; }

    /// <summary>The spec version this bank speaks.</summary>
    public ObieVersion Version => _options.SpecVersion;

    /// <summary>The platform's account at this bank.</summary>
    public AccountIdentification PlatformAccount =>
        new(_options.PlatformAccount!.SchemeName, _options.PlatformAccount.Identification, _options.PlatformAccount.Name);

    internal BankOptions Options => _options;

    internal BankMetadata Metadata { get; }

    /// <summary>The bank's token provider (the VRP client shares it: one MSAL cache per bank).</summary>
    internal BankTokenProvider Tokens => _tokens;

    /// <summary>POST domestic-payment-consents (client-credentials token).</summary>
    public async Task<PaymentConsent> CreateConsentAsync(PaymentInstruction instruction, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        CheckIdempotencyKey(idempotencyKey);
        var body = _dialect.ConsentRequest(instruction);
        var response = await SendAsync(HttpMethod.Post, "/domestic-payment-consents", body, ClientToken, idempotencyKey, cancellationToken).ConfigureAwait(false);
        var consent = ParseConsent(response);
        CheckConsentMatches(consent, instruction, response);
        return consent;
    }

    /// <summary>GET domestic-payment-consents/{ConsentId}.</summary>
    public async Task<PaymentConsent> GetConsentAsync(string consentId, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, $"/domestic-payment-consents/{Uri.EscapeDataString(consentId)}", null, ClientToken, null, cancellationToken).ConfigureAwait(false);
        var consent = ParseConsent(response);
        if (consent.ConsentId != consentId)
        {
            throw Invalid(BankResponseProblem.ResourceMismatch, "consent id differs from the one requested", response);
        }

        return consent;
    }

    /// <summary>GET domestic-payment-consents/{ConsentId}/funds-confirmation (needs the customer-authorised token).</summary>
    public async Task<FundsAvailability> GetFundsConfirmationAsync(string consentId, AccessToken consentToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consentToken);
        var response = await SendAsync(HttpMethod.Get, $"/domestic-payment-consents/{Uri.EscapeDataString(consentId)}/funds-confirmation", null,
            _ => ValueTask.FromResult(consentToken), null, cancellationToken).ConfigureAwait(false);
        if (!PisDialects.TryDeserialize<ObFundsConfirmationResponse>(response.Body, out var funds, out var error) || funds.Data is null)
        {
            throw Invalid(BankResponseProblem.Malformed, error ?? "Data missing", response);
        }

        var result = funds.Data.FundsAvailableResult;
        return new FundsAvailability(result?.FundsAvailable, PisDialects.Time(result?.FundsAvailableDateTime));
    }

    /// <summary>
    /// Builds the OBIE authorisation URL for a consent: a PS256 request object carrying the intent id,
    /// PKCE S256, state and nonce. Keep the returned request until the redirect comes back.
    /// </summary>
    public async Task<AuthorizationRequest> BuildAuthorizationUrlAsync(string consentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        var discovery = await Metadata.GetDiscoveryAsync(cancellationToken).ConfigureAwait(false);
        var verifier = Pkce.CreateVerifier();
        var challenge = Pkce.Challenge(verifier);
        var state = Guid.NewGuid().ToString("N");
        var nonce = Guid.NewGuid().ToString("N");
        const string scope = "openid payments";
        var redirect = _options.RedirectUri!.AbsoluteUri;
        var intent = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["openbanking_intent_id"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["value"] = consentId, ["essential"] = true },
        };
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["client_id"] = _options.ClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirect,
            ["scope"] = scope,
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["claims"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["id_token"] = intent, ["userinfo"] = intent },
        };
        var requestObject = ClientAssertion.CreateRequestObject(_key, _options.ClientId, discovery.Issuer.AbsoluteUri.TrimEnd('/'), claims, _time.GetUtcNow());
        var query = string.Join('&', new[]
        {
            ("client_id", _options.ClientId), ("response_type", "code"), ("scope", scope), ("redirect_uri", redirect),
            ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"), ("request", requestObject),
        }.Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));
        var separator = discovery.AuthorizationEndpoint.Query.Length > 0 ? "&" : "?";
        return new AuthorizationRequest(new Uri(discovery.AuthorizationEndpoint.AbsoluteUri + separator + query), consentId, state, nonce, verifier);
    }

    /// <summary>
    /// Starts decoupled authorisation (CIBA poll mode) of a consent: a PS256 request object carrying
    /// the intent id, posted to the bank's <c>backchannel_authentication_endpoint</c> with the client's
    /// authentication. Throws <see cref="BankAuthorizationException"/> (<c>ciba_not_supported</c>) when
    /// the bank's discovery document does not advertise CIBA.
    /// </summary>
    internal async Task<DecoupledAuthorization> StartDecoupledAuthorizationAsync(string consentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        var discovery = await RequireCibaAsync(cancellationToken).ConfigureAwait(false);
        var issuer = discovery.Issuer.AbsoluteUri.TrimEnd('/');
        var intent = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["openbanking_intent_id"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["value"] = consentId, ["essential"] = true },
        };
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["client_id"] = _options.ClientId,
            ["scope"] = "openid payments",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["claims"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["id_token"] = intent, ["userinfo"] = intent },
        };
        var requestObject = ClientAssertion.CreateRequestObject(_key, _options.ClientId, issuer, claims, _time.GetUtcNow());
        return await _pipeline.ExecuteAsync(
            async ct => await _tokens.RequestBackchannelAsync(discovery.BackchannelAuthenticationEndpoint!, issuer, requestObject, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One poll of a pending decoupled authorisation of <paramref name="consentId"/> (nothing is sent before
    /// its interval has passed). When the customer approved, the ID token that comes with the access token is
    /// verified (<see cref="IdTokenVerifier"/> with the CIBA binding: signature with the bank's JWKS, iss, aud,
    /// exp, iat, openbanking_intent_id = <paramref name="consentId"/>, the auth_req_id claim, at_hash and rt_hash
    /// when present) before the result is returned; the returned result carries neither the ID token nor a
    /// refresh token.
    /// </summary>
    /// <exception cref="BankResponseInvalidException">
    /// <see cref="BankResponseProblem.IdTokenInvalid"/>: the ID token failed a check (its
    /// <see cref="BankResponseInvalidException.Detail"/> says which); the access token is not returned.
    /// </exception>
    internal async Task<DecoupledPollResult> PollDecoupledAuthorizationAsync(string consentId, DecoupledAuthorization pending, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentNullException.ThrowIfNull(pending);
        var discovery = await RequireCibaAsync(cancellationToken).ConfigureAwait(false);
        var result = await _pipeline.ExecuteAsync(
            async ct => await _tokens.PollBackchannelAsync(discovery.TokenEndpoint, pending, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        if (result.Outcome != DecoupledPollOutcome.Authorised || result.Token is not { } token)
        {
            return result;
        }

        var expected = IdTokenVerifier.Expectations.ForBackchannel(discovery.Issuer.AbsoluteUri, _options.ClientId, consentId, pending.AuthReqId, token.Value, result.RefreshToken, _time.GetUtcNow());
        if (await IdTokenVerifier.VerifyAsync(result.IdToken, expected, Metadata.ResolveKeyAsync, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            LogDecoupledIdTokenRefused(Bank, consentId, failure);
            throw new BankResponseInvalidException(Bank, BankResponseProblem.IdTokenInvalid, failure, null, null);
        }

        return result with { IdToken = null, RefreshToken = null };
    }

    private async Task<OidcDiscovery> RequireCibaAsync(CancellationToken ct)
    {
        var discovery = await Metadata.GetDiscoveryAsync(ct).ConfigureAwait(false);
        return discovery.SupportsCiba
            ? discovery
            : throw new BankAuthorizationException(Bank, "ciba_not_supported",
                $"AuthorizationMode is Decoupled but bank '{Bank}' does not advertise CIBA (backchannel_authentication_endpoint and the {BankTokenProvider.CibaGrantType} grant) in its discovery document");
    }

    /// <summary>
    /// Follows the authorisation URL without a browser (the sandbox simulates the customer) and
    /// returns the authorisation code from the redirect. Throws <see cref="BankAuthorizationException"/>
    /// when the customer declined or the answer does not match the request.
    /// </summary>
    public async Task<string> AuthorizeHeadlessAsync(AuthorizationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpResponseMessage response;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
            response = await _http().SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new BankTransportException(Bank, $"authorisation request failed: {ex.HttpRequestError}", requestSent: true, null, ex);
        }

        using (response)
        {
            if (response.StatusCode is not (HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.Redirect or HttpStatusCode.TemporaryRedirect)
                || response.Headers.Location is not { } location)
            {
                throw new BankAuthorizationException(Bank, "no_redirect", $"authorisation endpoint answered HTTP {(int)response.StatusCode} without a redirect",
                    isTransient: (int)response.StatusCode >= 500);
            }

            return ReadRedirect(request, location);
        }
    }

    /// <summary>
    /// Checks the redirect's <paramref name="state"/> against the request, exchanges the code (PKCE)
    /// for the consent-scoped access token used to submit the payment, and verifies the ID token that
    /// comes with it (<see cref="VerifyIdTokenAsync"/>) before the token is returned.
    /// </summary>
    /// <exception cref="BankResponseInvalidException">
    /// <see cref="BankResponseProblem.IdTokenInvalid"/>: the ID token failed a check (its
    /// <see cref="BankResponseInvalidException.Detail"/> says which); the access token is not returned.
    /// </exception>
    public async Task<AccessToken> CompleteAuthorizationAsync(AuthorizationRequest request, string code, string state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(code);
        if (!string.Equals(request.State, state, StringComparison.Ordinal))
        {
            throw new BankAuthorizationException(Bank, "state_mismatch", "the redirect's state does not belong to this authorisation request");
        }

        var (token, idToken) = await _pipeline.ExecuteAsync(
            async ct => await _tokens.ExchangeCodeAsync(code, request.CodeVerifier, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        await VerifyIdTokenAsync(request, code, idToken, token, cancellationToken).ConfigureAwait(false);
        return token;
    }

    /// <summary>
    /// Verifies the ID token of a code exchange (<see cref="IdTokenVerifier"/>: signature with the bank's
    /// JWKS, iss, aud, exp, iat, the request's nonce, openbanking_intent_id, c_hash/at_hash/s_hash when
    /// present). Throws <see cref="BankResponseInvalidException"/> (<see cref="BankResponseProblem.IdTokenInvalid"/>)
    /// with the exact reason when it fails.
    /// </summary>
    internal async Task VerifyIdTokenAsync(AuthorizationRequest request, string code, string? idToken, AccessToken token, CancellationToken cancellationToken)
    {
        var discovery = await Metadata.GetDiscoveryAsync(cancellationToken).ConfigureAwait(false);
        var expected = IdTokenVerifier.Expectations.ForCode(discovery.Issuer.AbsoluteUri, _options.ClientId, request, code, token.Value, _time.GetUtcNow());
        if (await IdTokenVerifier.VerifyAsync(idToken, expected, Metadata.ResolveKeyAsync, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            LogIdTokenRefused(Bank, request.ConsentId, failure);
            throw new BankResponseInvalidException(Bank, BankResponseProblem.IdTokenInvalid, failure, null, null);
        }
    }

    /// <summary>
    /// POST domestic-payments with the consent-authorised token. Safe to call again after an
    /// ambiguous failure: the same <paramref name="idempotencyKey"/> and body make the bank return
    /// the payment it already created instead of creating another.
    /// </summary>
    public async Task<DomesticPayment> SubmitPaymentAsync(string consentId, PaymentInstruction instruction, AccessToken consentToken, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(consentToken);
        CheckIdempotencyKey(idempotencyKey);
        var body = _dialect.PaymentRequest(consentId, instruction);
        var response = await SendAsync(HttpMethod.Post, "/domestic-payments", body, _ => ValueTask.FromResult(consentToken), idempotencyKey, cancellationToken).ConfigureAwait(false);
        var payment = ParsePayment(response);
        if (payment.ConsentId != consentId)
        {
            throw Invalid(BankResponseProblem.ResourceMismatch, "payment belongs to another consent", response);
        }

        if (payment.Amount != instruction.Amount)
        {
            throw Invalid(BankResponseProblem.AmountMismatch, $"payment amount {payment.Amount} differs from the instructed {instruction.Amount}", response);
        }

        return payment;
    }

    /// <summary>GET domestic-payments/{DomesticPaymentId}.</summary>
    public async Task<DomesticPayment> GetPaymentAsync(string paymentId, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, $"/domestic-payments/{Uri.EscapeDataString(paymentId)}", null, ClientToken, null, cancellationToken).ConfigureAwait(false);
        var payment = ParsePayment(response);
        if (payment.PaymentId != paymentId)
        {
            throw Invalid(BankResponseProblem.ResourceMismatch, "payment id differs from the one requested", response);
        }

        return payment;
    }

    /// <summary>GET domestic-payments/{DomesticPaymentId}/payment-details.</summary>
    public async Task<IReadOnlyList<PaymentStatusDetail>> GetPaymentDetailsAsync(string paymentId, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, $"/domestic-payments/{Uri.EscapeDataString(paymentId)}/payment-details", null, ClientToken, null, cancellationToken).ConfigureAwait(false);
        if (!PisDialects.TryDeserialize<ObPaymentDetailsResponse>(response.Body, out var details, out var error) || details.Data is null)
        {
            throw Invalid(BankResponseProblem.Malformed, error ?? "Data missing", response);
        }

        var list = new List<PaymentStatusDetail>();
        foreach (var d in details.Data.PaymentStatus ?? [])
        {
            if (string.IsNullOrEmpty(d.PaymentTransactionId) || string.IsNullOrEmpty(d.Status))
            {
                throw Invalid(BankResponseProblem.Malformed, "PaymentStatus entry lacks PaymentTransactionId or Status", response);
            }

            string? reason = null;
            if (d.StatusDetail is { ValueKind: JsonValueKind.Object } detail && detail.TryGetProperty("StatusReason", out var r) && r.ValueKind == JsonValueKind.String)
            {
                reason = r.GetString();
            }

            list.Add(new PaymentStatusDetail(d.PaymentTransactionId, PaymentStatus.FromCode(d.Status), PisDialects.Time(d.StatusUpdateDateTime), reason));
        }

        return list;
    }

    /// <summary>A client-credentials token (cached by MSAL).</summary>
    internal ValueTask<AccessToken> ClientToken(CancellationToken ct) => new(_tokens.GetClientCredentialsTokenAsync(ct));

    internal async Task<BankResponse> SendAsync(HttpMethod method, string path, byte[]? body, Func<CancellationToken, ValueTask<AccessToken>> token,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            return await SendOnceAsync(method, path, body, token, idempotencyKey, cancellationToken).ConfigureAwait(false);
        }
        catch (BankAuthenticationException first) when (token == ClientToken)
        {
            // 401: the bank no longer accepts the cached client-credentials token (revoked, or expired
            // earlier than MSAL thought). A 401 means nothing was processed; one fresh token and the same
            // request again (same idempotency key, same body bytes) cannot create a second resource.
            LogTokenRefused(Bank, method.Method, path, first.InteractionId);
            try
            {
                return await SendOnceAsync(method, path, body, ct => new(_tokens.GetClientCredentialsTokenAsync(ct, forceRefresh: true)), idempotencyKey, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (BankAuthenticationException again)
            {
                throw new BankAuthenticationException(Bank, $"{method} {path}: the bank refused the access token, also after one refresh", again.InteractionId, again.ErrorCodes);
            }
        }
    }

    private async Task<BankResponse> SendOnceAsync(HttpMethod method, string path, byte[]? body, Func<CancellationToken, ValueTask<AccessToken>> token,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var interactionId = Guid.NewGuid().ToString();
        try
        {
            return await _pipeline.ExecuteAsync(
                async ct => await AttemptAsync(method, path, body, token, idempotencyKey, interactionId, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            // The request may have reached the bank: the caller must look the resource up (same
            // idempotency key, or GET by id) before it could send anything new.
            throw new BankTransportException(Bank, $"{method} {path} timed out after {_options.AttemptTimeout.TotalSeconds:0.###} s", requestSent: true, interactionId, ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new BankUnavailableException(Bank, ex.RetryAfter, ex);
        }
    }

    private async Task<BankResponse> AttemptAsync(HttpMethod method, string path, byte[]? body, Func<CancellationToken, ValueTask<AccessToken>> tokenFactory,
        string? idempotencyKey, string interactionId, CancellationToken ct)
    {
        var accessToken = await tokenFactory(ct).ConfigureAwait(false);
        var url = new Uri(_options.BaseUrl!.AbsoluteUri.TrimEnd('/') + _dialect.BasePath + path);
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.Value);
        request.Headers.TryAddWithoutValidation("x-fapi-interaction-id", interactionId);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("x-jws-signature", DetachedJws.Sign(body, _key, _options.JwsIssuer ?? _options.ClientId, _time.GetUtcNow()));
            if (idempotencyKey is not null)
            {
                request.Headers.TryAddWithoutValidation("x-idempotency-key", idempotencyKey);
            }
        }

        HttpResponseMessage response;
        byte[] bytes;
        try
        {
            response = await _http().SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            var sent = ex.HttpRequestError is not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError);
            _logger.LogWarning("Bank {Bank}: {Method} {Path} failed ({Error}, request sent: {Sent}), interaction {InteractionId}", Bank, method, path, ex.HttpRequestError, sent, interactionId);
            throw new BankTransportException(Bank, $"{method} {path} failed: {ex.HttpRequestError}", sent, interactionId, ex);
        }

        using (response)
        {
            try
            {
                bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                throw new BankTransportException(Bank, $"{method} {path}: response body lost", requestSent: true, interactionId, ex);
            }

            var answeredId = response.Headers.TryGetValues("x-fapi-interaction-id", out var ids) ? ids.FirstOrDefault() ?? interactionId : interactionId;
            var status = response.StatusCode;
            _logger.LogDebug("Bank {Bank}: {Method} {Path} -> {Status}, interaction {InteractionId}", Bank, method, path, (int)status, answeredId);
            var signature = response.Headers.TryGetValues("x-jws-signature", out var sigs) ? sigs.FirstOrDefault() : null;
            var result = new BankResponse(status, bytes, answeredId);
            if (status == HttpStatusCode.TooManyRequests)
            {
                throw new BankThrottledException(Bank, RetryAfter(response), answeredId);
            }

            if ((int)status >= 500)
            {
                throw new BankServerErrorException(Bank, status, answeredId, ErrorCodes(bytes));
            }

            // Auth failures are classified by status before anything is demanded of the body: a
            // gateway's 401/403 carries no x-jws-signature, and nothing in it is acted upon.
            if (status == HttpStatusCode.Unauthorized)
            {
                throw new BankAuthenticationException(Bank, $"{method} {path}: the bank refused the access token", answeredId, ErrorCodes(bytes));
            }

            if (status == HttpStatusCode.Forbidden)
            {
                throw new BankForbiddenException(Bank, $"{method} {path}: forbidden for this client or token", answeredId, ErrorCodes(bytes));
            }

            // OBIE signs response bodies; a bodiless answer (204 to a DELETE) carries nothing to sign.
            var mustBeSigned = (method == HttpMethod.Post || _options.Quirks.RequireSignedGetResponses) && bytes.Length > 0;
            if ((mustBeSigned || signature is not null) && !_options.Quirks.SkipResponseSignatureVerification)
            {
                if (signature is null)
                {
                    throw Invalid(BankResponseProblem.SignatureMissing, "x-jws-signature absent", result);
                }

                var verification = await DetachedJws.VerifyAsync(signature, bytes, Metadata.ResolveKeyAsync, new JwsExpectations(_time.GetUtcNow(), _options.BankJwsIssuer), ct).ConfigureAwait(false);
                if (!verification.IsValid)
                {
                    _logger.LogWarning("Bank {Bank}: {Method} {Path} response signature rejected: {Reason}, interaction {InteractionId}", Bank, method, path, verification.Failure, answeredId);
                    throw Invalid(BankResponseProblem.SignatureInvalid, verification.Failure!, result);
                }
            }

            if ((int)status >= 400)
            {
                throw new BankRequestRejectedException(Bank, $"{method} {path} refused", status, answeredId, ErrorCodes(bytes));
            }

            if ((int)status < 200 || (int)status >= 300)
            {
                throw Invalid(BankResponseProblem.Malformed, $"unexpected HTTP {(int)status}", result);
            }

            return result;
        }
    }

    private PaymentConsent ParseConsent(BankResponse response) =>
        _dialect.TryParseConsent(response.Body, out var consent, out var error) ? consent : throw Invalid(BankResponseProblem.Malformed, error, response);

    private DomesticPayment ParsePayment(BankResponse response) =>
        _dialect.TryParsePayment(response.Body, out var payment, out var error) ? payment : throw Invalid(BankResponseProblem.Malformed, error, response);

    private void CheckConsentMatches(PaymentConsent consent, PaymentInstruction instruction, BankResponse response)
    {
        if (consent.Amount != instruction.Amount)
        {
            throw Invalid(BankResponseProblem.AmountMismatch, $"consent amount {consent.Amount} differs from the instructed {instruction.Amount}", response);
        }

        if (consent.Creditor.Identification != instruction.Creditor.Identification || consent.Creditor.SchemeName != instruction.Creditor.SchemeName)
        {
            throw Invalid(BankResponseProblem.ResourceMismatch, "consent creditor account differs from the instructed one", response);
        }
    }

    private string ReadRedirect(AuthorizationRequest request, Uri location)
    {
        var query = HttpUtility.ParseQueryString(location.Query.Length > 0 ? location.Query : "?" + location.Fragment.TrimStart('#'));
        if (!string.Equals(query["state"], request.State, StringComparison.Ordinal))
        {
            throw new BankAuthorizationException(Bank, "state_mismatch", "the redirect's state does not belong to this authorisation request");
        }

        if (query["error"] is { Length: > 0 } error)
        {
            throw new BankAuthorizationException(Bank, error, error == "access_denied" ? "the customer declined the consent" : "authorisation failed");
        }

        return query["code"] is { Length: > 0 } code
            ? code
            : throw new BankAuthorizationException(Bank, "no_code", "the redirect carries neither code nor error");
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static List<string>? ErrorCodes(byte[] body)
    {
        if (body.Length == 0 || !PisDialects.TryDeserialize<ObErrorResponse>(body, out var error, out _))
        {
            return null;
        }

        return error.Errors?.Select(e => e.ErrorCode).Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToList();
    }

    private BankResponseInvalidException Invalid(BankResponseProblem problem, string detail, BankResponse response) =>
        new(Bank, problem, detail, response.Status, response.InteractionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: ID token of the code exchange for consent {ConsentId} refused: {Reason}; its access token is not used")]
    private partial void LogIdTokenRefused(string bank, string consentId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: ID token of the decoupled authorisation of consent {ConsentId} refused: {Reason}; its access token is not used")]
    private partial void LogDecoupledIdTokenRefused(string bank, string consentId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bank {Bank}: {Method} {Path} answered 401 (interaction {InteractionId}); refreshing the client-credentials token once and repeating the request")]
    private partial void LogTokenRefused(string bank, string method, string path, string? interactionId);

    private static void CheckIdempotencyKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > 40)
        {
            throw new ArgumentException("x-idempotency-key must be at most 40 characters (OBIE).", nameof(key));
        }
    }
}
