using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Identity.Client;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Auth;

/// <summary>
/// Tokens from one bank through MSAL as a confidential client against the bank's OIDC authority:
/// client credentials (scope <c>payments</c>, cached by MSAL) and the authorisation-code exchange
/// with PKCE for payment submission. Client authentication is <c>private_key_jwt</c> (PS256
/// assertion built here, see TOOLCHAIN notes) or <c>client_secret_post</c>. Decoupled authorisation
/// (CIBA poll mode, which MSAL does not speak) posts the same client authentication directly.
/// </summary>
internal sealed class BankTokenProvider
{
    private static readonly string[] ClientScopes = ["payments"];
    private static readonly string[] CodeScopes = ["openid", "payments"];
    /// <summary>The OpenID CIBA grant type.</summary>
    public const string CibaGrantType = "urn:openid:params:grant-type:ciba";

    /// <summary>CIBA: the interval when the bank names none, and what <c>slow_down</c> adds.</summary>
    public static readonly TimeSpan DefaultCibaInterval = TimeSpan.FromSeconds(5);

    private readonly string _bank;
    private readonly IConfidentialClientApplication _app;
    private readonly BankOptions _options;
    private readonly SigningKey _signingKey;
    private readonly Func<HttpClient> _http;
    private readonly TimeProvider _time;

    public BankTokenProvider(string bank, BankOptions options, SigningKey signingKey, Func<HttpClient> http, TimeProvider time)
    {
        _bank = bank;
        _options = options;
        _signingKey = signingKey;
        _http = http;
        _time = time;
        var builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
            .WithOidcAuthority(options.WellKnownEndpoint!.AbsoluteUri.TrimEnd('/'))
            .WithRedirectUri(options.RedirectUri!.AbsoluteUri)
            .WithHttpClientFactory(new MsalHttpClientFactory(http))
            .WithLogging((_, _, _) => { }, Microsoft.Identity.Client.LogLevel.Error, enablePiiLogging: false, enableDefaultPlatformLogging: false);
        builder = string.IsNullOrEmpty(options.ClientSecret)
            ? builder.WithClientAssertion((AssertionRequestOptions a) =>
                Task.FromResult(ClientAssertion.CreateAssertion(signingKey, options.ClientId, a.TokenEndpoint, time.GetUtcNow())))
            : builder.WithClientSecret(options.ClientSecret);
        _app = builder.Build();
    }

    public async Task<AccessToken> GetClientCredentialsTokenAsync(CancellationToken ct, bool forceRefresh = false)
    {
        try
        {
            var result = await _app.AcquireTokenForClient(ClientScopes).WithForceRefresh(forceRefresh).ExecuteAsync(ct).ConfigureAwait(false);
            return new AccessToken(result.AccessToken, result.ExpiresOn);
        }
        catch (MsalException ex)
        {
            throw Map(ex);
        }
    }

    /// <summary>
    /// The authorisation-code exchange (PKCE) through MSAL. Returns the access token and the raw ID token
    /// unchecked: MSAL reads the ID token's claims but verifies neither its signature nor its nonce, so the
    /// caller verifies it (<see cref="IdTokenVerifier"/>) before the access token is used or stored.
    /// </summary>
    public async Task<(AccessToken Access, string? IdToken)> ExchangeCodeAsync(string code, string codeVerifier, CancellationToken ct)
    {
        try
        {
            var result = await _app.AcquireTokenByAuthorizationCode(CodeScopes, code)
                .WithPkceCodeVerifier(codeVerifier)
                .ExecuteAsync(ct).ConfigureAwait(false);

            // MSAL states the expiry on the system clock; the token is saved with the transfer and
            // checked against the injected clock, so keep the lifetime and re-base it.
            var lifetime = result.ExpiresOn - TimeProvider.System.GetUtcNow();
            return (new AccessToken(result.AccessToken, _time.GetUtcNow() + lifetime), string.IsNullOrEmpty(result.IdToken) ? null : result.IdToken);
        }
        catch (MsalException ex)
        {
            throw Map(ex);
        }
    }

    /// <summary>
    /// CIBA backchannel authentication request (poll mode): posts the signed request object with the
    /// client's authentication; returns the pending authorisation (first poll after <c>interval</c>).
    /// </summary>
    public async Task<DecoupledAuthorization> RequestBackchannelAsync(Uri endpoint, string issuer, string requestObject, CancellationToken ct)
    {
        // CIBA: the client assertion's audience is the bank's issuer.
        var form = ClientAuthentication(issuer);
        form.Add(new("request", requestObject));
        using var doc = await PostFormAsync(endpoint, form, ct).ConfigureAwait(false);
        var root = doc.Document.RootElement;
        if (!doc.Success)
        {
            throw new BankAuthorizationException(_bank, ErrorCode(root), $"backchannel authentication refused (HTTP {doc.Status})", doc.Status is >= 500 or 429);
        }

        if (!root.TryGetProperty("auth_req_id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString())
            || !root.TryGetProperty("expires_in", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt32(out var expiresIn) || expiresIn <= 0)
        {
            throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, "backchannel authentication answer lacks auth_req_id or expires_in", null, null);
        }

        var interval = root.TryGetProperty("interval", out var iv) && iv.ValueKind == JsonValueKind.Number && iv.TryGetInt32(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultCibaInterval;
        var now = _time.GetUtcNow();
        return new DecoupledAuthorization(id.GetString()!, now.AddSeconds(expiresIn), interval, now + interval);
    }

    /// <summary>
    /// One poll of the token endpoint for a pending decoupled authorisation, unless its interval has
    /// not passed yet (<see cref="DecoupledPollOutcome.NotDue"/>, nothing sent) or it expired.
    /// <c>slow_down</c> raises the interval by <see cref="DefaultCibaInterval"/>. An authorised answer
    /// carries the raw ID token and refresh token unchecked (the caller verifies, <see cref="IdTokenVerifier"/>).
    /// </summary>
    public async Task<DecoupledPollResult> PollBackchannelAsync(Uri tokenEndpoint, DecoupledAuthorization pending, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (now >= pending.ExpiresAt)
        {
            return new(DecoupledPollOutcome.Expired, pending);
        }

        if (now < pending.NextPollAt)
        {
            return new(DecoupledPollOutcome.NotDue, pending);
        }

        var form = ClientAuthentication(tokenEndpoint.AbsoluteUri);
        form.Add(new("grant_type", CibaGrantType));
        form.Add(new("auth_req_id", pending.AuthReqId));
        using var doc = await PostFormAsync(tokenEndpoint, form, ct).ConfigureAwait(false);
        var root = doc.Document.RootElement;
        now = _time.GetUtcNow();
        if (doc.Success)
        {
            if (!root.TryGetProperty("access_token", out var at) || at.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(at.GetString()))
            {
                throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, "token answer lacks access_token", null, null);
            }

            var lifetime = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var s) && s > 0 ? s : 300;

            // The ID token (and the refresh token its rt_hash may name) go back unchecked: the caller verifies
            // it (IdTokenVerifier, CIBA binding) before the access token is used or stored.
            return new(DecoupledPollOutcome.Authorised, pending, new AccessToken(at.GetString()!, now.AddSeconds(lifetime)), OptionalString(root, "id_token"), OptionalString(root, "refresh_token"));
        }

        var error = ErrorCode(root);
        switch (error)
        {
            case "authorization_pending":
                return new(DecoupledPollOutcome.Pending, pending with { NextPollAt = now + pending.Interval });
            case "slow_down":
                var slower = pending.Interval + DefaultCibaInterval;
                return new(DecoupledPollOutcome.Pending, pending with { Interval = slower, NextPollAt = now + slower });
            case "access_denied":
                return new(DecoupledPollOutcome.Denied, pending);
            case "expired_token":
                return new(DecoupledPollOutcome.Expired, pending);
            default:
                throw new BankAuthorizationException(_bank, error, $"token endpoint refused the decoupled authorisation (HTTP {doc.Status})", doc.Status is >= 500 or 429);
        }
    }

    /// <summary>
    /// The authorisation-code exchange for a long-lived (VRP) consent, posted directly rather than through MSAL:
    /// MSAL keeps refresh tokens in its cache, and a sweeping consent's refresh token must survive a restart
    /// (it is saved with the consent). Returns the access token, the refresh token when the bank gives one, and the
    /// raw ID token unchecked (the caller verifies it, <see cref="IdTokenVerifier"/>).
    /// </summary>
    public Task<(AccessToken Access, string? Refresh, string? IdToken)> ExchangeCodeForConsentAsync(Uri tokenEndpoint, string code, string codeVerifier, CancellationToken ct) =>
        ConsentGrantAsync(tokenEndpoint, [new("grant_type", "authorization_code"), new("code", code), new("code_verifier", codeVerifier), new("redirect_uri", _options.RedirectUri!.AbsoluteUri)], ct);

    /// <summary>refresh_token grant (RFC 6749 §6) for a VRP consent's access token; the bank may rotate the refresh token.</summary>
    public async Task<(AccessToken Access, string? Refresh)> RefreshConsentTokenAsync(Uri tokenEndpoint, string refreshToken, CancellationToken ct)
    {
        var (access, refresh, _) = await ConsentGrantAsync(tokenEndpoint, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], ct).ConfigureAwait(false);
        return (access, refresh);
    }

    private async Task<(AccessToken Access, string? Refresh, string? IdToken)> ConsentGrantAsync(Uri tokenEndpoint, List<KeyValuePair<string, string>> grant, CancellationToken ct)
    {
        var form = ClientAuthentication(tokenEndpoint.AbsoluteUri);
        form.AddRange(grant);
        using var doc = await PostFormAsync(tokenEndpoint, form, ct).ConfigureAwait(false);
        var root = doc.Document.RootElement;
        if (!doc.Success)
        {
            throw new BankAuthorizationException(_bank, ErrorCode(root), $"token endpoint refused the {grant[0].Value} grant (HTTP {doc.Status})", doc.Status is >= 500 or 429);
        }

        if (!root.TryGetProperty("access_token", out var at) || at.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(at.GetString()))
        {
            throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, "token answer lacks access_token", null, null);
        }

        var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) && s > 0 ? s : 300;
        return (new AccessToken(at.GetString()!, _time.GetUtcNow().AddSeconds(lifetime)), OptionalString(root, "refresh_token"), OptionalString(root, "id_token"));
    }

    /// <summary>A non-empty string member of a token answer, or null (absent, empty or not a string).</summary>
    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } value ? value : null;

    private List<KeyValuePair<string, string>> ClientAuthentication(string audience)
    {
        var form = new List<KeyValuePair<string, string>> { new("client_id", _options.ClientId) };
        if (string.IsNullOrEmpty(_options.ClientSecret))
        {
            form.Add(new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            form.Add(new("client_assertion", ClientAssertion.CreateAssertion(_signingKey, _options.ClientId, audience, _time.GetUtcNow())));
        }
        else
        {
            form.Add(new("client_secret", _options.ClientSecret));
        }

        return form;
    }

    private async Task<FormAnswer> PostFormAsync(Uri endpoint, List<KeyValuePair<string, string>> form, CancellationToken ct)
    {
        try
        {
            using var content = new FormUrlEncodedContent(form);
            using var response = await _http().PostAsync(endpoint, content, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                throw new BankAuthorizationException(_bank, "server_error", $"{endpoint.AbsolutePath} answered HTTP {status}", isTransient: true);
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);

            // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
            // InvalidOperationException only when the string is read (GetString), which must not escape here.
            if (!Utf8.IsValid(bytes))
            {
                throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, $"{endpoint.AbsolutePath} did not answer UTF-8", null, null);
            }

            return new FormAnswer(status, response.IsSuccessStatusCode, JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes));
        }
        catch (JsonException ex)
        {
            throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, $"{endpoint.AbsolutePath} did not answer JSON", null, null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new BankTransportException(_bank, $"POST {endpoint.AbsolutePath} failed: {ex.HttpRequestError}", requestSent: true, null, ex);
        }
    }

    private static string ErrorCode(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } code
            ? code
            : "token_error";

    private sealed record FormAnswer(int Status, bool Success, JsonDocument Document) : IDisposable
    {
        public void Dispose() => Document.Dispose();
    }

    private BankApiException Map(MsalException ex)
    {
        // MSAL messages may quote server responses; keep only the error code and status.
        if (ex is MsalServiceException service)
        {
            var transient = service.StatusCode is >= 500 or 429 or 0 || service.ErrorCode is "request_timeout" or "service_not_available";
            return new BankAuthorizationException(_bank, service.ErrorCode ?? "token_error", $"token endpoint refused (HTTP {service.StatusCode})", transient);
        }

        var clientTransient = ex.ErrorCode is "request_timeout" or "service_not_available" or "network_not_available";
        return new BankAuthorizationException(_bank, ex.ErrorCode ?? "token_error", "token request failed in the client", clientTransient);
    }
}
