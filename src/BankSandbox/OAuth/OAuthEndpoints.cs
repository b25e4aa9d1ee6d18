using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Customer;
using Settlement.BankSandbox.Errors;
using Settlement.BankSandbox.Hosting;
using Settlement.BankSandbox.Security;

namespace Settlement.BankSandbox.OAuth;

/// <summary>The bank's OIDC/OAuth2 server: discovery, JWKS, token endpoint and the simulated-customer authorize page.</summary>
internal sealed class OAuthEndpoints
{
    private const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private const string CibaGrant = "urn:openid:params:grant-type:ciba";
    private const string CibaAuthReqIdClaim = "urn:openid:params:jwt:claim:auth_req_id";
    private const string CibaRtHashClaim = "urn:openid:params:jwt:claim:rt_hash";
    private readonly SandboxRuntime _rt;
    private readonly JsonWebTokenHandler _jwt = new();

    private OAuthEndpoints(SandboxRuntime rt) => _rt = rt;

    public static void Map(IEndpointRouteBuilder app, SandboxRuntime rt)
    {
        var e = new OAuthEndpoints(rt);
        app.MapGet("/.well-known/openid-configuration", ctx => ObResponder.WriteJsonAsync(ctx, rt, 200, e.Discovery(), "application/json", sign: false));
        app.MapGet("/jwks", ctx => ObResponder.WriteBytesAsync(ctx, rt, 200, Encoding.UTF8.GetBytes(rt.SigningKey.JwksJson), "application/json", sign: false));
        app.MapPost("/as/token", e.TokenAsync);
        app.MapGet("/as/authorize", e.AuthorizeAsync);
        app.MapPost("/as/bc-authorize", e.BackchannelAuthorizeAsync);
    }

    private JsonObject Discovery() => new()
    {
        ["issuer"] = _rt.Issuer,
        ["authorization_endpoint"] = _rt.Issuer + "/as/authorize",
        ["token_endpoint"] = _rt.TokenEndpoint,
        ["jwks_uri"] = _rt.Issuer + "/jwks",
        ["scopes_supported"] = new JsonArray("openid", "payments"),
        ["response_types_supported"] = new JsonArray("code", "code id_token"),
        ["response_modes_supported"] = new JsonArray("query", "fragment"),
        ["grant_types_supported"] = new JsonArray("client_credentials", "authorization_code", "refresh_token", CibaGrant),
        ["backchannel_authentication_endpoint"] = _rt.Issuer + "/as/bc-authorize",
        ["backchannel_token_delivery_modes_supported"] = new JsonArray("poll"),
        ["backchannel_authentication_request_signing_alg_values_supported"] = new JsonArray("PS256"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("PS256"),
        ["request_object_signing_alg_values_supported"] = new JsonArray("PS256"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt", "client_secret_post"),
        ["token_endpoint_auth_signing_alg_values_supported"] = new JsonArray("PS256"),
        ["code_challenge_methods_supported"] = new JsonArray("S256"),
        ["request_parameter_supported"] = true,
        ["claims_parameter_supported"] = true,
        ["claims_supported"] = new JsonArray("sub", "openbanking_intent_id", "acr"),
    };

    // ---- token endpoint ----
    private async Task TokenAsync(HttpContext ctx)
    {
        _rt.AdvanceStatuses();
        if (await ReadAuthenticatedFormAsync(ctx).ConfigureAwait(false) is not { } authenticated)
        {
            return;
        }

        var (form, client, now) = authenticated;

        switch (form["grant_type"].ToString())
        {
            case "client_credentials":
                {
                    var scopes = form["scope"].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (scopes.Length > 0 && !scopes.Contains("payments", StringComparer.Ordinal))
                    {
                        await OAuthError(ctx, 400, "invalid_scope", "scope must include payments").ConfigureAwait(false);
                        return;
                    }

                    var token = _rt.OAuth.Issue(new AccessToken(client.ClientId, TokenKind.ClientCredentials, "payments", null, now + OAuthStore.TokenLifetime));
                    await TokenResponse(ctx, token, "payments", null).ConfigureAwait(false);
                    return;
                }

            case "authorization_code":
                {
                    var code = _rt.OAuth.RedeemCode(form["code"].ToString(), now);
                    if (code is null || code.ClientId != client.ClientId)
                    {
                        await OAuthError(ctx, 400, "invalid_grant", "unknown, used or expired code").ConfigureAwait(false);
                        return;
                    }

                    if (form["redirect_uri"].ToString() != code.RedirectUri)
                    {
                        await OAuthError(ctx, 400, "invalid_grant", "redirect_uri does not match the authorisation request").ConfigureAwait(false);
                        return;
                    }

                    var verifier = form["code_verifier"].ToString();
                    var challenge = Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
                    if (verifier.Length < 43 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(challenge), Encoding.ASCII.GetBytes(code.CodeChallenge)))
                    {
                        await OAuthError(ctx, 400, "invalid_grant", "PKCE code_verifier does not match").ConfigureAwait(false);
                        return;
                    }

                    await ConsentTokenResponse(ctx, client.ClientId, code.ConsentId, code.Nonce, now).ConfigureAwait(false);
                    return;
                }

            case "refresh_token":
                {
                    // Only VRP consents get refresh tokens: a sweeping consent lasts for months, its access token an hour.
                    var refresh = _rt.OAuth.FindRefresh(form["refresh_token"].ToString());
                    var authorised = false;
                    if (refresh is { } r && r.ClientId == client.ClientId && _rt.Ledger.TryGetConsent(r.ConsentId, out var bound))
                    {
                        lock (_rt.Ledger.Gate)
                        {
                            authorised = bound!.State == Payments.ConsentState.Authorised;
                        }
                    }

                    if (!authorised)
                    {
                        await OAuthError(ctx, 400, "invalid_grant", "unknown refresh token, or its consent is no longer authorised").ConfigureAwait(false);
                        return;
                    }

                    var token = _rt.OAuth.Issue(new AccessToken(client.ClientId, TokenKind.AuthorizationCode, "openid payments", refresh!.Value.ConsentId, now + OAuthStore.TokenLifetime));
                    await TokenResponse(ctx, token, "openid payments", null, form["refresh_token"].ToString()).ConfigureAwait(false);
                    return;
                }

            case CibaGrant:
                await BackchannelTokenAsync(ctx, client, form["auth_req_id"].ToString(), now).ConfigureAwait(false);
                return;

            default:
                await OAuthError(ctx, 400, "unsupported_grant_type", "client_credentials, authorization_code or " + CibaGrant).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// A token bound to the consent (the PSU's authorisation) and its id_token, PS256 with the bank's published key:
    /// iss, sub, aud, iat, exp, openbanking_intent_id, acr and at_hash (OIDC Core 3.1.3.6); the code flow's nonce
    /// when the request carried one. A decoupled (CIBA) answer also names its <paramref name="authReqId"/> in
    /// <c>urn:openid:params:jwt:claim:auth_req_id</c> and, with a refresh token, its hash in
    /// <c>urn:openid:params:jwt:claim:rt_hash</c> (CIBA Core 1.0, 10.3.1: required there for push mode; given
    /// here in poll mode too so clients can bind the ID token to the request).
    /// </summary>
    private Task ConsentTokenResponse(HttpContext ctx, string clientId, string consentId, string? nonce, DateTimeOffset now, string? authReqId = null)
    {
        var token = _rt.OAuth.Issue(new AccessToken(clientId, TokenKind.AuthorizationCode, "openid payments", consentId, now + OAuthStore.TokenLifetime));
        var refresh = _rt.Ledger.TryGetConsent(consentId, out var consent) && consent!.Vrp is not null ? _rt.OAuth.IssueRefresh(clientId, consentId) : null;
        var claims = new JsonObject
        {
            ["iss"] = _rt.Issuer,
            ["sub"] = consentId,
            ["aud"] = clientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + OAuthStore.TokenLifetime).ToUnixTimeSeconds(),
            ["openbanking_intent_id"] = consentId,
            ["acr"] = "urn:openbanking:psd2:sca",
            ["at_hash"] = HalfHash(token),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        if (authReqId is not null)
        {
            claims[CibaAuthReqIdClaim] = authReqId;
            if (refresh is not null)
            {
                claims[CibaRtHashClaim] = HalfHash(refresh);
            }
        }

        return TokenResponse(ctx, token, "openid payments", CompactJws.SignJwt(claims, _rt.SigningKey), refresh);
    }

    /// <summary>OIDC Core 3.1.3.6: base64url of the left half of the SHA-256 (the hash of PS256) of the ASCII value.</summary>
    private static string HalfHash(string value) => Base64Url.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(value)).AsSpan(0, 16));

    // ---- decoupled (CIBA, poll mode) ----
    private async Task BackchannelAuthorizeAsync(HttpContext ctx)
    {
        if (await ReadAuthenticatedFormAsync(ctx).ConfigureAwait(false) is not { } authenticated)
        {
            return;
        }

        var (form, client, now) = authenticated;
        _rt.AdvanceStatuses();

        if (await ValidateRequestObjectAsync(client, form["request"].ToString()).ConfigureAwait(false) is not { } jwt)
        {
            await OAuthError(ctx, 400, "invalid_request", "the request object is missing or does not verify with the client's key").ConfigureAwait(false);
            return;
        }

        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload)) as JsonObject ?? [];
        if (RequestObjectLifetimeError(claims, now) is { } lifetimeError)
        {
            await OAuthError(ctx, 400, "invalid_request", lifetimeError).ConfigureAwait(false);
            return;
        }

        var scope = (claims["scope"] is JsonValue sv && sv.TryGetValue<string>(out var sc) ? sc : "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var consentId = claims["claims"]?["id_token"]?["openbanking_intent_id"]?["value"]?.GetValue<string>()
            ?? claims["claims"]?["userinfo"]?["openbanking_intent_id"]?["value"]?.GetValue<string>();
        if (!scope.Contains("openid", StringComparer.Ordinal) || !scope.Contains("payments", StringComparer.Ordinal))
        {
            await OAuthError(ctx, 400, "invalid_scope", "scope must be openid payments").ConfigureAwait(false);
            return;
        }

        if (consentId is null || !_rt.Ledger.TryGetConsent(consentId, out var consent) || consent!.ClientId != client.ClientId
            || consent.State != Payments.ConsentState.AwaitingAuthorisation)
        {
            await OAuthError(ctx, 400, "invalid_request", "openbanking_intent_id does not name a consent of this client awaiting authorisation").ConfigureAwait(false);
            return;
        }

        var (approve, debtor) = CustomerAnswer(consent, null, null);
        var id = _rt.OAuth.IssueBackchannel(new BackchannelRequest(client.ClientId, consentId, approve, debtor, now + _rt.Options.DecoupledApprovalDelay, now + OAuthStore.BackchannelLifetime));
        await ObResponder.WriteJsonAsync(
            ctx,
            _rt,
            200,
            new JsonObject { ["auth_req_id"] = id, ["expires_in"] = (int)OAuthStore.BackchannelLifetime.TotalSeconds, ["interval"] = 1 },
            "application/json",
            sign: false).ConfigureAwait(false);
    }

    private async Task BackchannelTokenAsync(HttpContext ctx, SandboxClient client, string authReqId, DateTimeOffset now)
    {
        var request = _rt.OAuth.FindBackchannel(authReqId);
        if (request is null || request.ClientId != client.ClientId)
        {
            await OAuthError(ctx, 400, "invalid_grant", "unknown auth_req_id").ConfigureAwait(false);
            return;
        }

        if (request.Expires <= now)
        {
            _rt.OAuth.RemoveBackchannel(authReqId);
            await OAuthError(ctx, 400, "expired_token", "the decoupled authorisation expired").ConfigureAwait(false);
            return;
        }

        if (request.DecideAt > now)
        {
            await OAuthError(ctx, 400, "authorization_pending", "the customer has not answered yet").ConfigureAwait(false);
            return;
        }

        // The customer answers now, unless the consent was already settled another way (a redirect authorisation,
        // its CompletionDateTime passing): then the poll reports the consent's real state, not the device's answer.
        var decided = _rt.Ledger.Decide(request.ConsentId, request.Approve, request.Debtor, request.DecideAt);
        _rt.OAuth.RemoveBackchannel(authReqId);
        if (decided)
        {
            if (request.Approve)
            {
                await ConsentTokenResponse(ctx, client.ClientId, request.ConsentId, null, now, authReqId).ConfigureAwait(false);
            }
            else
            {
                await OAuthError(ctx, 400, "access_denied", "the customer declined").ConfigureAwait(false);
            }

            return;
        }

        _rt.Ledger.TryGetConsent(request.ConsentId, out var consent);
        Payments.ConsentState state;
        lock (_rt.Ledger.Gate)
        {
            state = consent!.State;
        }

        switch (state)
        {
            case Payments.ConsentState.Authorised:
                await ConsentTokenResponse(ctx, client.ClientId, request.ConsentId, null, now, authReqId).ConfigureAwait(false);
                return;
            case Payments.ConsentState.Consumed:
                await OAuthError(ctx, 400, "invalid_grant", "the consent was authorised another way and has been consumed").ConfigureAwait(false);
                return;
            default:
                await OAuthError(ctx, 400, "access_denied", "the consent was rejected").ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// A request object must carry <c>exp</c>, in the future and at most <see cref="SandboxOptions.RequestObjectMaxLifetime"/>
    /// ahead (FAPI 1 Advanced 5.2.2-13), and a <c>nbf</c>, when present, not further in the future than the allowed clock
    /// skew (<see cref="SandboxOptions.JwsIatTolerance"/>). Null when it is acceptable.
    /// </summary>
    private string? RequestObjectLifetimeError(JsonObject claims, DateTimeOffset now)
    {
        if (claims["exp"] is not JsonValue expValue || !expValue.TryGetValue<long>(out var exp))
        {
            return "request object has no exp";
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires <= now)
        {
            return "request object expired";
        }

        if (expires > now + _rt.Options.RequestObjectMaxLifetime)
        {
            return "request object exp is too far ahead (lifetime above the allowed maximum)";
        }

        // nbf may lie ahead by the clock skew the bank allows its clients (the same tolerance as a JWS iat).
        return claims["nbf"] is JsonValue nbfValue && nbfValue.TryGetValue<long>(out var nbf)
            && DateTimeOffset.FromUnixTimeSeconds(nbf) > now + _rt.Options.JwsIatTolerance
            ? "request object is not valid yet (nbf)"
            : null;
    }

    /// <summary>What the simulated customer does with a consent: decision and the debtor account.</summary>
    private (bool Approve, string? Debtor) CustomerAnswer(Payments.ConsentRecord consent, string? queryDecision, string? queryDebtor)
    {
        var decision = _rt.Customer.DecisionFor(consent.ConsentId)
            ?? (queryDecision switch
            {
                "approve" => CustomerDecision.Approve,
                "decline" => CustomerDecision.Decline,
                _ => _rt.Customer.DefaultDecision,
            });
        var debtor = consent.DebtorAccount ?? _rt.Customer.DebtorFor(consent.ConsentId) ?? queryDebtor ?? _rt.Options.DefaultDebtorAccount;
        return debtor is null || !_rt.Accounts.TryGet(debtor, out _) ? (false, null) : (decision == CustomerDecision.Approve, debtor);
    }

    /// <summary>
    /// Verifies an OBIE request object (PS256, signed by <paramref name="client"/>, audience = this issuer) for
    /// the authorize and backchannel-authorize endpoints; null when it is missing or does not verify.
    /// </summary>
    private async Task<JsonWebToken?> ValidateRequestObjectAsync(SandboxClient client, string request)
    {
        var validation = await _jwt.ValidateTokenAsync(request, new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudiences = [_rt.Issuer, _rt.Issuer + "/"],
            IssuerSigningKey = client.SigningKey,
            ValidAlgorithms = ["PS256"],
            ValidateLifetime = false,
            RequireExpirationTime = false,
        }).ConfigureAwait(false);
        return validation.IsValid ? validation.SecurityToken as JsonWebToken : null;
    }

    /// <summary>
    /// Reads the form of a client-authenticated endpoint (token, backchannel authorize) and authenticates the
    /// client; on failure the OAuth error is already written and the result is null.
    /// </summary>
    private async Task<(IFormCollection Form, SandboxClient Client, DateTimeOffset Now)?> ReadAuthenticatedFormAsync(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType)
        {
            await OAuthError(ctx, 400, "invalid_request", "form body required").ConfigureAwait(false);
            return null;
        }

        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted).ConfigureAwait(false);
        var now = _rt.Time.GetUtcNow();
        var (client, authError) = await AuthenticateClientAsync(form, now).ConfigureAwait(false);
        if (client is null)
        {
            await OAuthError(ctx, 401, "invalid_client", authError!).ConfigureAwait(false);
            return null;
        }

        return (form, client, now);
    }

    private async Task<(SandboxClient? Client, string? Error)> AuthenticateClientAsync(IFormCollection form, DateTimeOffset now)
    {
        var assertion = form["client_assertion"].ToString();
        if (assertion.Length > 0)
        {
            if (form["client_assertion_type"].ToString() != JwtBearer)
            {
                return (null, "client_assertion_type must be jwt-bearer");
            }

            JsonWebToken parsed;
            try
            {
                parsed = _jwt.ReadJsonWebToken(assertion);
            }
            catch (ArgumentException)
            {
                return (null, "client_assertion is not a JWT");
            }

            if (!_rt.Clients.TryGet(parsed.Issuer, out var client) || client!.SigningKey is null)
            {
                return (null, "unknown client");
            }

            var formClientId = form["client_id"].ToString();
            if (formClientId.Length > 0 && formClientId != client.ClientId)
            {
                return (null, "client_id does not match the assertion");
            }

            var result = await _jwt.ValidateTokenAsync(assertion, new TokenValidationParameters
            {
                ValidIssuer = client.ClientId,
                ValidAudiences = [_rt.TokenEndpoint, _rt.Issuer, _rt.Issuer + "/"],
                IssuerSigningKey = client.SigningKey,
                ValidAlgorithms = ["PS256"],
                ValidateLifetime = false,
                RequireExpirationTime = false,
            }).ConfigureAwait(false);
            if (!result.IsValid)
            {
                return (null, "client_assertion does not verify");
            }

            var sub = parsed.Subject;
            var jti = parsed.Id;
            if (sub != client.ClientId || string.IsNullOrEmpty(jti) || !parsed.TryGetPayloadValue<long>("exp", out var exp))
            {
                return (null, "client_assertion needs sub = client_id, jti and exp");
            }

            var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
            if (expires <= now)
            {
                return (null, "client_assertion expired");
            }

            return _rt.OAuth.TryUseJti(client.ClientId, jti, expires) ? (client, null) : (null, "client_assertion jti was already used");
        }

        var id = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        if (_rt.Clients.TryGet(id, out var c) && c!.ClientSecret is { } expected && secret.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(expected)))
        {
            return (c, null);
        }

        return (null, "client authentication failed");
    }

    private Task TokenResponse(HttpContext ctx, string token, string scope, string? idToken, string? refreshToken = null)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        var body = new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)OAuthStore.TokenLifetime.TotalSeconds,
            ["scope"] = scope,
        };
        if (idToken is not null)
        {
            body["id_token"] = idToken;
        }

        if (refreshToken is not null)
        {
            body["refresh_token"] = refreshToken;
        }

        return ObResponder.WriteJsonAsync(ctx, _rt, 200, body, "application/json", sign: false);
    }

    private Task OAuthError(HttpContext ctx, int status, string error, string description) =>
        ObResponder.WriteJsonAsync(ctx, _rt, status, new JsonObject { ["error"] = error, ["error_description"] = description }, "application/json", sign: false);

    // ---- authorize (the simulated customer) ----
    private async Task AuthorizeAsync(HttpContext ctx)
    {
        _rt.AdvanceStatuses();
        var q = ctx.Request.Query;
        var now = _rt.Time.GetUtcNow();
        if (!_rt.Clients.TryGet(q["client_id"].ToString(), out var client) || client!.SigningKey is null)
        {
            await ObResponder.WriteProblemJsonAsync(ctx, _rt, 400, "invalid_client", "unknown client_id").ConfigureAwait(false);
            return;
        }

        var request = q["request"].ToString();
        if (await ValidateRequestObjectAsync(client, request).ConfigureAwait(false) is not { } jwt)
        {
            await ObResponder.WriteProblemJsonAsync(ctx, _rt, 400, "invalid_request_object", "the request object is missing or does not verify with the client's key").ConfigureAwait(false);
            return;
        }

        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(jwt.EncodedPayload)) as JsonObject ?? [];
        string? Claim(string name) => claims[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var redirectUri = Claim("redirect_uri") ?? q["redirect_uri"].ToString();
        if (!client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            await ObResponder.WriteProblemJsonAsync(ctx, _rt, 400, "invalid_request", "redirect_uri is not registered for the client").ConfigureAwait(false);
            return;
        }

        var state = Claim("state") ?? q["state"].ToString();
        var fragment = (Claim("response_mode") ?? q["response_mode"].ToString()) == "fragment";
        if (RequestObjectLifetimeError(claims, now) is { } lifetimeError)
        {
            Redirect(ctx, redirectUri, fragment, ("error", "invalid_request_object"), ("error_description", lifetimeError), ("state", state));
            return;
        }

        var scope = (Claim("scope") ?? q["scope"].ToString()).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var challenge = Claim("code_challenge") ?? q["code_challenge"].ToString();
        var method = Claim("code_challenge_method") ?? q["code_challenge_method"].ToString();
        var consentId = claims["claims"]?["id_token"]?["openbanking_intent_id"]?["value"]?.GetValue<string>()
            ?? claims["claims"]?["userinfo"]?["openbanking_intent_id"]?["value"]?.GetValue<string>();
        if (!scope.Contains("openid", StringComparer.Ordinal) || !scope.Contains("payments", StringComparer.Ordinal))
        {
            Redirect(ctx, redirectUri, fragment, ("error", "invalid_scope"), ("error_description", "scope must be openid payments"), ("state", state));
            return;
        }

        if (challenge.Length < 43 || method != "S256")
        {
            Redirect(ctx, redirectUri, fragment, ("error", "invalid_request"), ("error_description", "PKCE with S256 is required"), ("state", state));
            return;
        }

        if (consentId is null || !_rt.Ledger.TryGetConsent(consentId, out var consent) || consent!.ClientId != client.ClientId)
        {
            Redirect(ctx, redirectUri, fragment, ("error", "invalid_request"), ("error_description", "openbanking_intent_id does not name a consent of this client"), ("state", state));
            return;
        }

        var (approve, debtor) = CustomerAnswer(consent, q["sandbox_decision"].ToString(), NullIfEmpty(q["sandbox_debtor"].ToString()));
        if (!_rt.Ledger.Decide(consentId, approve, debtor, now))
        {
            Redirect(ctx, redirectUri, fragment, ("error", "invalid_request"), ("error_description", "the consent is not awaiting authorisation"), ("state", state));
            return;
        }

        if (!approve)
        {
            Redirect(ctx, redirectUri, fragment, ("error", "access_denied"), ("error_description", "the customer declined"), ("state", state));
            return;
        }

        var code = _rt.OAuth.IssueCode(new AuthorizationCode(client.ClientId, consentId, redirectUri, challenge, Claim("nonce"), now + OAuthStore.CodeLifetime));
        Redirect(ctx, redirectUri, fragment, ("code", code), ("state", state));
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static void Redirect(HttpContext ctx, string redirectUri, bool fragment, params (string Name, string? Value)[] parameters)
    {
        var pairs = string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
        var separator = fragment ? "#" : redirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        if (ctx.Items.ContainsKey(ObResponder.DropKey))
        {
            ctx.Abort();
            return;
        }

        ctx.Response.StatusCode = StatusCodes.Status302Found;
        ctx.Response.Headers.Location = redirectUri + separator + pairs;
    }
}
