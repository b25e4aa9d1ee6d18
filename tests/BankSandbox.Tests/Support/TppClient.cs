using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Security;

namespace Settlement.BankSandbox.Tests.Support;

/// <summary>A test TPP: its own RSA key, registration, client assertions, request objects and detached JWS.</summary>
public sealed class TppClient : IDisposable
{
    public const string RedirectUri = "https://tpp.example/callback";

    // Keys are expensive to generate on a busy machine; each client id keeps one for the test run.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RSA> Keys = new();

    private readonly SandboxHost _host;
    private readonly JsonWebTokenHandler _jwt = new() { SetDefaultTimesOnTokenCreation = false };

    private TppClient(SandboxHost host, string clientId, RSA key, string kid, HttpClient http)
    {
        _host = host;
        ClientId = clientId;
        Key = key;
        Kid = kid;
        Http = http;
    }

    public string ClientId { get; }

    public RSA Key { get; }

    public string Kid { get; }

    public HttpClient Http { get; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public static TppClient Register(SandboxHost host, TimeProvider clock, string clientId = "tpp-1", string? secret = null, Uri? notificationUrl = null)
    {
        var key = Keys.GetOrAdd(clientId, _ => RSA.Create(2048));
        var kid = "kid-" + clientId;
        var publicKey = new RsaSecurityKey(key.ExportParameters(false)) { KeyId = kid };
        host.Clients.Register(new SandboxClient
        {
            ClientId = clientId,
            ClientSecret = secret,
            SigningKey = publicKey,
            RedirectUris = { RedirectUri },
            NotificationUrl = notificationUrl,
        });
        var handler = (SocketsHttpHandler)host.CreateHttpMessageHandler();
        handler.AllowAutoRedirect = false;
        return new TppClient(host, clientId, key, kid, new HttpClient(handler) { BaseAddress = host.BaseUrl }) { Clock = clock };
    }

    public string Assertion(string? jti = null, string? audience = null, RSA? signWith = null, DateTimeOffset? expires = null)
    {
        var now = Clock.GetUtcNow();
        return _jwt.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = ClientId,
                ["sub"] = ClientId,
                ["aud"] = audience ?? _host.Issuer + "/as/token",
                ["jti"] = jti ?? Guid.NewGuid().ToString(),
                ["iat"] = now.ToUnixTimeSeconds(),
                ["exp"] = (expires ?? now.AddMinutes(5)).ToUnixTimeSeconds(),
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signWith ?? Key) { KeyId = Kid }, SecurityAlgorithms.RsaSsaPssSha256),
        });
    }

    public async Task<HttpResponseMessage> TokenRequestAsync(IDictionary<string, string> form) =>
        await Http.PostAsync(new Uri("as/token", UriKind.Relative), new FormUrlEncodedContent(form));

    /// <summary>POSTs a form to an AS endpoint with private_key_jwt client authentication added.</summary>
    public async Task<HttpResponseMessage> TokenEndpointFormAsync(string relative, IDictionary<string, string> form)
    {
        var all = new Dictionary<string, string>(form)
        {
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = Assertion(),
        };
        return await Http.PostAsync(new Uri(relative, UriKind.Relative), new FormUrlEncodedContent(all));
    }

    public async Task<string> ClientCredentialsTokenAsync()
    {
        using var response = await TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "payments",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = Assertion(),
        });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["access_token"]!.GetValue<string>();
    }

    /// <summary>
    /// The OBIE detached JWS of <paramref name="body"/>; <paramref name="edit"/> may change the protected header.
    /// Signed by the sandbox's own (oracle) signer, with this client's key: no second copy of the JWS code.
    /// </summary>
    public string Sign(byte[] body, Action<JsonObject>? edit = null, RSA? signWith = null)
    {
        var header = CompactJws.DetachedHeader(Kid, ClientId, Clock.GetUtcNow().ToUnixTimeSeconds());
        edit?.Invoke(header);
        return CompactJws.SignDetached(body, header, signWith ?? Key);
    }

    public async Task<HttpResponseMessage> PostAsync(PisVersion version, string relative, string json, string token, string? idempotencyKey, string? jws = null, bool sign = true, string? fault = null)
    {
        var body = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.PispBaseUrl(version), relative.TrimStart('/')));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("x-fapi-interaction-id", "93bac548-d2de-4546-b106-880a5018460d");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("x-idempotency-key", idempotencyKey);
        }

        if (sign)
        {
            request.Headers.Add("x-jws-signature", jws ?? Sign(body));
        }

        if (fault is not null)
        {
            request.Headers.Add("x-sandbox-fault", fault);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>
    /// A PIS request with raw body bytes and every header under the caller's control (null content type = none);
    /// <paramref name="edit"/> may add or change headers last. The body is signed unless <paramref name="jws"/> is given.
    /// </summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, PisVersion version, string relative, byte[]? body, string? token, string? idempotencyKey = null, string? contentType = "application/json", string? jws = null, Action<HttpRequestMessage>? edit = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_host.PispBaseUrl(version), relative.TrimStart('/')));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            request.Headers.Add("x-jws-signature", jws ?? Sign(body));
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("x-idempotency-key", idempotencyKey);
        }

        edit?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> GetAsync(PisVersion version, string relative, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_host.PispBaseUrl(version), relative.TrimStart('/')));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    public static string NewVerifier() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public string RequestObject(string consentId, string challenge, string state = "st-1", string nonce = "n-1", RSA? signWith = null, Action<JsonObject>? editClaims = null)
    {
        var now = Clock.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = ClientId,
            ["aud"] = _host.Issuer,
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["client_id"] = ClientId,
            ["response_type"] = "code id_token",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid payments",
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["claims"] = new JsonObject
            {
                ["id_token"] = new JsonObject
                {
                    ["openbanking_intent_id"] = new JsonObject { ["value"] = consentId, ["essential"] = true },
                },
            },
        };
        editClaims?.Invoke(claims);
        return _jwt.CreateToken(claims.ToJsonString(), new SigningCredentials(new RsaSecurityKey(signWith ?? Key) { KeyId = Kid }, SecurityAlgorithms.RsaSsaPssSha256));
    }

    /// <summary>GET /as/authorize; returns the redirect Location's query parameters.</summary>
    public async Task<Dictionary<string, string>> AuthorizeAsync(string consentId, string verifier, string? extraQuery = null, RSA? signWith = null, Action<JsonObject>? editClaims = null)
    {
        var url = $"as/authorize?client_id={ClientId}&response_type=code%20id_token&scope=openid%20payments&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
            + $"&request={RequestObject(consentId, Challenge(verifier), signWith: signWith, editClaims: editClaims)}{extraQuery}";
        using var response = await Http.GetAsync(new Uri(url, UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.Found, await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).ShouldBe(RedirectUri);
        return location.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
    }

    public async Task<HttpResponseMessage> ExchangeCodeAsync(string code, string verifier) =>
        await TokenRequestAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = Assertion(),
        });

    /// <summary>Authorises a consent and exchanges the code; returns the consent-bound access token.</summary>
    public async Task<string> AuthorisedTokenAsync(string consentId)
    {
        var verifier = NewVerifier();
        var redirect = await AuthorizeAsync(consentId, verifier);
        redirect.ShouldContainKey("code");
        using var response = await ExchangeCodeAsync(redirect["code"], verifier);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["access_token"]!.GetValue<string>();
    }

    public void Dispose()
    {
        Http.Dispose();
    }
}
