using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Tests.Support;

/// <summary>
/// An in-memory bank behind an HttpMessageHandler for unit tests: OIDC discovery, JWKS, token,
/// authorise redirect and the PIS endpoints of both versions, with idempotency by key, signed
/// responses, recorded requests and per-request fault hooks.
/// </summary>
public sealed class FakeBank : HttpMessageHandler
{
    public const string Authority = "https://bank.test";

    /// <summary>The bank's <c>http://openbanking.org.uk/iss</c> in its response signatures and notification headers.</summary>
    public const string Issuer = "fake-bank";

    private readonly ConcurrentDictionary<string, (int Status, byte[] Body, string Hash)> _idempotency = new();
    private int _counter;

    public FakeBank(TimeProvider time) => Time = time;

    public TimeProvider Time { get; }

    public SigningKey Key { get; } = SigningKey.Generate("bank-key-1");

    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>Consumed in order: when one returns non-null it answers instead of the bank (or throws).</summary>
    public ConcurrentQueue<Func<RecordedRequest, HttpResponseMessage?>> Faults { get; } = new();

    /// <summary>Runs after the bank processed the request (the effect is committed): may throw to simulate a dropped answer.</summary>
    public Func<RecordedRequest, HttpResponseMessage, HttpResponseMessage>? AfterCommit { get; set; }

    public Dictionary<string, JsonObject> Consents { get; } = [];

    public Dictionary<string, JsonObject> Payments { get; } = [];

    public string Decision { get; set; } = "approve";

    public Func<string, string>? ResponseBodyRewrite { get; set; }

    /// <summary>The payer's account the bank reports as <c>Data.Refund</c> when the consent asked for it.</summary>
    public (string Identification, string Name) Payer { get; set; } = ("60161331926819", "Customer");

    /// <summary>Edits a new consent's <c>Data</c> (e.g. a CutOffDateTime or Authorisation.CompletionDateTime).</summary>
    public Action<JsonObject>? ConsentData { get; set; }

    public bool SignResponses { get; set; } = true;

    /// <summary>The <c>http://openbanking.org.uk/iss</c> put into response signatures (a test may make it wrong).</summary>
    public string ResponseIssuer { get; set; } = Issuer;

    /// <summary>Advertises CIBA (backchannel endpoint and grant) in discovery and answers its requests.</summary>
    public bool Ciba { get; set; }

    /// <summary>
    /// The answers to CIBA token polls, in order: <c>approve</c> (a token; the consent becomes authorised),
    /// or an OAuth error code (<c>authorization_pending</c>, <c>slow_down</c>, <c>access_denied</c>,
    /// <c>expired_token</c>, <c>invalid_grant</c>). Empty: <c>authorization_pending</c>.
    /// </summary>
    public ConcurrentQueue<string> CibaAnswers { get; } = new();

    public int PaymentsCreated => Payments.Count;

    /// <summary>Edits the claims of the ID token the next code exchanges and approved CIBA polls return (a test may drop or change the nonce, the auth_req_id claim…).</summary>
    public Action<JsonObject>? IdTokenEdit { get; set; }

    /// <summary>Signs the ID tokens (code exchange and CIBA) with another key than the bank's published one.</summary>
    public SigningKey? IdTokenSigner { get; set; }

    /// <summary>The consent (intent) id each CIBA <c>auth_req_id</c> was issued for, read from the backchannel request object.</summary>
    public ConcurrentDictionary<string, string?> BackchannelRequests { get; } = new();

    /// <summary>The token answers of approved CIBA polls, in order (access token and ID token as sent).</summary>
    public ConcurrentQueue<JsonObject> CibaTokenAnswers { get; } = new();

    /// <summary>Answers an approved CIBA poll without an <c>id_token</c>.</summary>
    public bool CibaWithoutIdToken { get; set; }

    /// <summary>What the authorise redirect saw for each code it issued: the request's nonce and the consent (intent) id.</summary>
    public ConcurrentDictionary<string, (string? Nonce, string? ConsentId)> IssuedCodes { get; } = new();

    public static string Version(string path) => path.Contains("/v4.0/", StringComparison.Ordinal) ? "v4" : "v3";

    public void SetPaymentStatus(string paymentId, string status)
    {
        lock (Payments)
        {
            Payments[paymentId]["Data"]!["Status"] = status;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value)), body);
        lock (Requests)
        {
            Requests.Add(recorded);
        }

        if (Faults.TryPeek(out var fault))
        {
            HttpResponseMessage? answer;
            try
            {
                answer = fault(recorded);
            }
            catch (HttpRequestException)
            {
                Faults.TryDequeue(out _);
                throw;
            }

            if (answer is not null)
            {
                Faults.TryDequeue(out _);
                return answer;
            }
        }

        var response = Route(recorded);
        return AfterCommit is null ? response : AfterCommit(recorded, response);
    }

    private HttpResponseMessage Route(RecordedRequest r)
    {
        var path = r.Uri.AbsolutePath;
        if (path == "/.well-known/openid-configuration")
        {
            var discovery = new JsonObject
            {
                ["issuer"] = Authority,
                ["authorization_endpoint"] = Authority + "/as/authorize",
                ["token_endpoint"] = Authority + "/as/token",
                ["jwks_uri"] = Authority + "/jwks",
                ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt", "client_secret_post"),
                ["response_types_supported"] = new JsonArray("code"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("PS256"),
            };
            if (Ciba)
            {
                discovery["backchannel_authentication_endpoint"] = Authority + "/as/bc-authorize";
                discovery["grant_types_supported"] = new JsonArray("authorization_code", "client_credentials", "urn:openid:params:grant-type:ciba");
            }

            return Json(200, discovery, sign: false);
        }

        if (path == "/jwks")
        {
            var jwk = new JsonObject();
            foreach (var (k, v) in Key.PublicJwk())
            {
                jwk[k] = v;
            }

            return Json(200, new JsonObject { ["keys"] = new JsonArray(jwk) }, sign: false);
        }

        if (path == "/as/bc-authorize")
        {
            var authReqId = "req-" + Interlocked.Increment(ref _counter);
            BackchannelRequests[authReqId] = IntentId(HttpUtility.ParseQueryString(Encoding.ASCII.GetString(r.Body))["request"]);
            return Json(200, new JsonObject { ["auth_req_id"] = authReqId, ["expires_in"] = 120, ["interval"] = 2 }, sign: false);
        }

        if (path == "/as/token")
        {
            var form = HttpUtility.ParseQueryString(Encoding.ASCII.GetString(r.Body));
            if (form["grant_type"] == "urn:openid:params:grant-type:ciba")
            {
                var answer = CibaAnswers.TryDequeue(out var next) ? next : "authorization_pending";
                if (answer != "approve")
                {
                    return Json(400, new JsonObject { ["error"] = answer }, sign: false);
                }

                foreach (var consent in Consents.Values)
                {
                    consent["Data"]!["Status"] = Version((string)consent["Links"]!["Self"]!) == "v4" ? "AUTH" : "Authorised";
                }
            }

            var token = new JsonObject
            {
                ["access_token"] = "secret-access-token-" + Interlocked.Increment(ref _counter),
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
                ["scope"] = form["scope"],
            };
            if (form["grant_type"] == "authorization_code")
            {
                var issued = IssuedCodes.GetValueOrDefault(form["code"] ?? "");
                token["id_token"] = IdToken(form["client_id"] ?? "tpp", issued.Nonce, issued.ConsentId);
            }
            else if (form["grant_type"] == "urn:openid:params:grant-type:ciba" && !CibaWithoutIdToken)
            {
                // CIBA: no nonce; the auth_req_id polled and the access token's hash bind the ID token to the request.
                var authReqId = form["auth_req_id"] ?? "";
                var accessToken = (string)token["access_token"]!;
                token["id_token"] = IdToken(form["client_id"] ?? "tpp", null, BackchannelRequests.GetValueOrDefault(authReqId), c =>
                {
                    c["urn:openid:params:jwt:claim:auth_req_id"] = authReqId;
                    c["at_hash"] = Base64UrlEncoder.Encode(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))[..16]);
                });
                CibaTokenAnswers.Enqueue(token.DeepClone().AsObject());
            }

            return Json(200, token, sign: false);
        }

        if (path == "/as/authorize")
        {
            var q = HttpUtility.ParseQueryString(r.Uri.Query);
            var redirect = q["redirect_uri"];
            var code = "code-" + Interlocked.Increment(ref _counter);
            IssuedCodes[code] = (q["nonce"], IntentId(q["request"]));
            var location = Decision == "approve"
                ? $"{redirect}?code={code}&state={q["state"]}"
                : $"{redirect}?error=access_denied&state={q["state"]}";
            var resp = new HttpResponseMessage(HttpStatusCode.Found);
            resp.Headers.Location = new Uri(location);
            return resp;
        }

        var version = Version(path);
        var pisp = path[(path.IndexOf("/pisp", StringComparison.Ordinal) + 5)..];
        if (r.Method == "POST")
        {
            var key = r.Headers.GetValueOrDefault("x-idempotency-key") ?? "";
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(r.Body));
            if (_idempotency.TryGetValue(pisp + "|" + key, out var previous))
            {
                if (previous.Hash != hash)
                {
                    return Error(400, "UK.OBIE.Header.Invalid");
                }

                var id = JsonNode.Parse(previous.Body)!["Data"]!;
                var current = pisp == "/domestic-payments" ? Payments[(string)id["DomesticPaymentId"]!] : Consents[(string)id["ConsentId"]!];
                return Json(201, current.DeepClone().AsObject());
            }

            var request = JsonNode.Parse(r.Body)!.AsObject();
            var initiation = request["Data"]!["Initiation"]!.DeepClone();
            JsonObject created;
            if (pisp == "/domestic-payment-consents")
            {
                var consentId = "consent-" + Interlocked.Increment(ref _counter);
                created = new JsonObject
                {
                    ["Data"] = new JsonObject
                    {
                        ["ConsentId"] = consentId,
                        ["CreationDateTime"] = Time.GetUtcNow().ToString("O"),
                        ["Status"] = version == "v4" ? "AWAU" : "AwaitingAuthorisation",
                        ["StatusUpdateDateTime"] = Time.GetUtcNow().ToString("O"),
                        ["Initiation"] = initiation,
                    },
                    ["Risk"] = new JsonObject(),
                    ["Links"] = new JsonObject { ["Self"] = Authority + path + "/" + consentId },
                    ["Meta"] = new JsonObject(),
                };
                if ((string?)request["Data"]!["ReadRefundAccount"] == "Yes")
                {
                    created["Data"]!["ReadRefundAccount"] = "Yes";
                }

                ConsentData?.Invoke(created["Data"]!.AsObject());
                Consents[consentId] = created;
            }
            else
            {
                var consentId = (string)request["Data"]!["ConsentId"]!;
                if (!Consents.TryGetValue(consentId, out var consent))
                {
                    return Error(400, "UK.OBIE.Resource.NotFound");
                }

                consent["Data"]!["Status"] = version == "v4" ? "COND" : "Consumed";
                var paymentId = "pay-" + Interlocked.Increment(ref _counter);
                created = new JsonObject
                {
                    ["Data"] = new JsonObject
                    {
                        ["DomesticPaymentId"] = paymentId,
                        ["ConsentId"] = consentId,
                        ["CreationDateTime"] = Time.GetUtcNow().ToString("O"),
                        ["Status"] = version == "v4" ? "RCVD" : "Pending",
                        ["StatusUpdateDateTime"] = Time.GetUtcNow().ToString("O"),
                        ["Initiation"] = initiation,
                    },
                    ["Links"] = new JsonObject { ["Self"] = Authority + path + "/" + paymentId },
                    ["Meta"] = new JsonObject(),
                };
                if ((string?)consent["Data"]!["ReadRefundAccount"] == "Yes")
                {
                    created["Data"]!["Refund"] = new JsonObject
                    {
                        ["Account"] = new JsonObject { ["SchemeName"] = "UK.OBIE.SortCodeAccountNumber", ["Identification"] = Payer.Identification, ["Name"] = Payer.Name },
                    };
                }

                lock (Payments)
                {
                    Payments[paymentId] = created;
                }
            }

            var bytes = Encoding.UTF8.GetBytes(created.ToJsonString());
            _idempotency[pisp + "|" + key] = (201, bytes, hash);
            return Json(201, created.DeepClone().AsObject());
        }

        var segments = pisp.Trim('/').Split('/');
        if (segments[0] == "domestic-payment-consents" && Consents.TryGetValue(segments[1], out var c))
        {
            if (segments.Length == 3)
            {
                return Json(200, new JsonObject
                {
                    ["Data"] = new JsonObject { ["FundsAvailableResult"] = new JsonObject { ["FundsAvailableDateTime"] = Time.GetUtcNow().ToString("O"), ["FundsAvailable"] = true } },
                    ["Links"] = new JsonObject { ["Self"] = Authority + path },
                    ["Meta"] = new JsonObject(),
                });
            }

            if (Consents.Count > 0 && (string?)c["Data"]!["Status"] is "AwaitingAuthorisation" or "AWAU" && Decision == "approve" && Requests.Any(x => x.Uri.AbsolutePath == "/as/token" && Encoding.ASCII.GetString(x.Body).Contains("authorization_code", StringComparison.Ordinal)))
            {
                c["Data"]!["Status"] = version == "v4" ? "AUTH" : "Authorised";
            }

            return Json(200, c.DeepClone().AsObject());
        }

        if (segments[0] == "domestic-payments")
        {
            JsonObject? p;
            lock (Payments)
            {
                p = Payments.GetValueOrDefault(segments[1])?.DeepClone().AsObject();
            }

            if (p is null)
            {
                return Error(400, "UK.OBIE.Resource.NotFound");
            }

            if (segments.Length == 3)
            {
                var d = p["Data"]!;
                return Json(200, new JsonObject
                {
                    ["Data"] = new JsonObject
                    {
                        ["PaymentStatus"] = new JsonArray(new JsonObject
                        {
                            ["PaymentTransactionId"] = (string)d["DomesticPaymentId"]!,
                            ["Status"] = (string)d["Status"]!,
                            ["StatusUpdateDateTime"] = (string)d["StatusUpdateDateTime"]!,
                        }),
                    },
                    ["Links"] = new JsonObject { ["Self"] = Authority + path },
                    ["Meta"] = new JsonObject(),
                });
            }

            return Json(200, p);
        }

        return Error(400, "UK.OBIE.Resource.NotFound");
    }

    public HttpResponseMessage Json(int status, JsonObject body, bool sign = true)
    {
        var text = body.ToJsonString();
        if (ResponseBodyRewrite is not null && sign)
        {
            text = ResponseBodyRewrite(text);
        }

        return Bytes(status, Encoding.UTF8.GetBytes(text), sign);
    }

    /// <summary>An answer of exactly <paramref name="bytes"/> (which need not be UTF-8), signed like <see cref="Json"/>.</summary>
    public HttpResponseMessage Bytes(int status, byte[] bytes, bool sign = true)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(bytes) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (sign && SignResponses)
        {
            response.Headers.TryAddWithoutValidation("x-jws-signature", DetachedJws.Sign(bytes, Key, ResponseIssuer, Time.GetUtcNow()));
        }

        return response;
    }

    public HttpResponseMessage Error(int status, string code) => Json(status, new JsonObject
    {
        ["Code"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Id"] = Guid.NewGuid().ToString(),
        ["Message"] = "error",
        ["Errors"] = new JsonArray(new JsonObject { ["ErrorCode"] = code, ["Message"] = "fake" }),
    });

    /// <summary>A signed SET (event notification) as the bank would POST it.</summary>
    public string Notification(string paymentId, string clientId, string? jti = null, SigningKey? signWith = null, string? headerIssuer = Issuer)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var key = signWith ?? Key;
        var subject = new Dictionary<string, object>
        {
            ["subject_type"] = "http://openbanking.org.uk/rid_http://openbanking.org.uk/rty",
            ["http://openbanking.org.uk/rid"] = paymentId,
            ["http://openbanking.org.uk/rty"] = "domestic-payment",
            ["http://openbanking.org.uk/rlk"] = new[] { new Dictionary<string, object> { ["version"] = "v3.1", ["link"] = Authority + "/x" } },
        };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = clientId,
            IssuedAt = Time.GetUtcNow().UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                ["jti"] = jti ?? Guid.NewGuid().ToString(),
                ["sub"] = Authority + "/payments/" + paymentId,
                ["txn"] = Guid.NewGuid().ToString(),
                ["toe"] = Time.GetUtcNow().ToUnixTimeSeconds(),
                ["events"] = new Dictionary<string, object> { ["urn:uk:org:openbanking:events:resource-update"] = new Dictionary<string, object> { ["subject"] = subject } },
            },
            AdditionalHeaderClaims = headerIssuer is null ? null : new Dictionary<string, object>
            {
                [DetachedJws.IatClaim] = Time.GetUtcNow().ToUnixTimeSeconds(),
                [DetachedJws.IssClaim] = headerIssuer,
                [DetachedJws.TanClaim] = DetachedJws.TrustAnchor,
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(KeyRsa(key)) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSsaPssSha256),
        });
    }

    private static System.Security.Cryptography.RSA KeyRsa(SigningKey key)
    {
        var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportFromPem(key.ExportPkcs8Pem());
        return rsa;
    }

    /// <summary>The consent id the request object asks to authorise (its payload read without verification: the client signed it).</summary>
    private static string? IntentId(string? requestObject)
    {
        var parts = requestObject?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]));
        return (string?)claims?["claims"]?["id_token"]?["openbanking_intent_id"]?["value"];
    }

    /// <summary>
    /// The ID token of a code exchange or CIBA poll: what an OBIE bank returns (iss, aud, iat, exp, the request's nonce,
    /// openbanking_intent_id), plus the flow's own claims (<paramref name="flowClaims"/>), then <see cref="IdTokenEdit"/>.
    /// </summary>
    private string IdToken(string clientId, string? nonce, string? consentId, Action<JsonObject>? flowClaims = null)
    {
        var now = Time.GetUtcNow();
        var claims = new JsonObject
        {
            ["iss"] = Authority,
            ["aud"] = clientId,
            ["sub"] = consentId ?? "customer-1",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["oid"] = "customer-1",
            ["tid"] = "bank",
            ["preferred_username"] = "customer",
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        if (consentId is not null)
        {
            claims["openbanking_intent_id"] = consentId;
        }

        flowClaims?.Invoke(claims);
        IdTokenEdit?.Invoke(claims);
        var key = IdTokenSigner ?? Key;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(claims.ToJsonString(),
            new SigningCredentials(new RsaSecurityKey(KeyRsa(key)) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSsaPssSha256));
    }
}

public sealed record RecordedRequest(string Method, Uri Uri, Dictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
