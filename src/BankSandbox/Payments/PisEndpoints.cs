using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Errors;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Hosting;
using Settlement.BankSandbox.OAuth;
using Settlement.BankSandbox.Security;
using Settlement.BankSandbox.Validation;

namespace Settlement.BankSandbox.Payments;

/// <summary>The OBIE domestic payment endpoints of one version.</summary>
internal sealed class PisEndpoints
{
    private const int MaxBody = 1 << 20;
    private const string SortCodeScheme = "UK.OBIE.SortCodeAccountNumber";

    private readonly SandboxRuntime _rt;
    private readonly PisVersion _version;
    private readonly OpenApiSchemaValidator _validator;

    /// <summary>Also used by the VRP endpoints (v4.0) for the checks every OBIE write API shares.</summary>
    internal PisEndpoints(SandboxRuntime rt, PisVersion version)
    {
        _rt = rt;
        _version = version;
        _validator = OpenApiSchemaValidator.For(version);
    }

    public static void Map(IEndpointRouteBuilder app, SandboxRuntime rt, PisVersion version)
    {
        var e = new PisEndpoints(rt, version);
        var g = app.MapGroup(SandboxRuntime.PispPath(version));
        g.MapPost("/domestic-payment-consents", ctx => e.Run(ctx, e.CreateConsentAsync));
        g.MapGet("/domestic-payment-consents/{ConsentId}", ctx => e.Run(ctx, e.GetConsentAsync));
        g.MapGet("/domestic-payment-consents/{ConsentId}/funds-confirmation", ctx => e.Run(ctx, e.FundsConfirmationAsync));
        g.MapPost("/domestic-payments", ctx => e.Run(ctx, e.CreatePaymentAsync));
        g.MapGet("/domestic-payments/{DomesticPaymentId}", ctx => e.Run(ctx, e.GetPaymentAsync));
        g.MapGet("/domestic-payments/{DomesticPaymentId}/payment-details", ctx => e.Run(ctx, e.PaymentDetailsAsync));
    }

    /// <summary>
    /// Runs one endpoint: statuses advanced first, an <see cref="ObProblemException"/> answered as an OBIE problem, the
    /// result written signed. Shared with the VRP endpoints (this instance's version).
    /// </summary>
    internal async Task Run(HttpContext ctx, Func<HttpContext, Task<(int Status, byte[] Body)>> handler)
    {
        (int Status, byte[] Body) result;
        try
        {
            _rt.AdvanceStatuses();
            result = await handler(ctx).ConfigureAwait(false);
        }
        catch (ObProblemException p)
        {
            await ObResponder.WriteProblemAsync(ctx, _rt, _version, p).ConfigureAwait(false);
            return;
        }

        // Anything else propagates to PisConformanceMiddleware: 500 UK.OBIE.UnexpectedError / U000. Nothing was
        // stored, because every write happens after the answer is rendered (CreateIdempotent's prepare/commit).
        await ObResponder.WriteBytesAsync(ctx, _rt, result.Status, result.Body, "application/json; charset=utf-8", sign: true).ConfigureAwait(false);
    }

    internal static byte[] Render(JsonNode body) => Encoding.UTF8.GetBytes(body.ToJsonString(SandboxJson.Options));

    internal static void FailBeforeCommitIfAsked(HttpContext ctx)
    {
        if (ctx.Items.ContainsKey(FaultMiddleware.FailBeforeCommitKey))
        {
            throw new InvalidOperationException("injected failure after validation, before commit (FailBeforeCommit)");
        }
    }

    // ---- consents ----
    private async Task<(int, byte[])> CreateConsentAsync(HttpContext ctx)
    {
        var (_, client) = Authorize(ctx, TokenKind.ClientCredentials, "a client-credentials token is required to create a consent");

        var (key, body, json) = await ReadSignedPostAsync(ctx, client, "/domestic-payment-consents").ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        var initiation = (JsonObject)data["Initiation"]!;
        var risk = (JsonObject)json["Risk"]!;
        var (amount, creditor, debtor) = CheckInitiation(initiation);
        var now = _rt.Time.GetUtcNow();
        var authorisation = data["Authorisation"] as JsonObject;
        var deadline = CompletionDeadline(authorisation, now);

        byte[]? rendered = null;
        var id = _rt.Ledger.CreateIdempotent(client.ClientId, $"{_version}:consents", key, SHA256.HashData(body), now, () =>
        {
            var consent = new ConsentRecord
            {
                ConsentId = SandboxLedger.NewId("dpc-"),
                ClientId = client.ClientId,
                Version = _version,
                Created = now,
                Initiation = (JsonObject)initiation.DeepClone(),
                Risk = (JsonObject)risk.DeepClone(),
                AmountMinor = amount,
                CreditorAccount = creditor,
                DebtorAccount = debtor,
                ReadRefundAccount = data["ReadRefundAccount"]?.GetValue<string>() == "Yes",
                Authorisation = (JsonObject?)authorisation?.DeepClone(),
                AuthorisationDeadline = deadline,
                State = ConsentState.AwaitingAuthorisation,
                StatusUpdated = now,
            };
            rendered = Render(ConsentBody(consent));
            FailBeforeCommitIfAsked(ctx);
            return (consent.ConsentId, () => _rt.Ledger.AddConsent(consent));
        }, out _);

        if (rendered is null)
        {
            // A replay: the consent's current state.
            _rt.Ledger.TryGetConsent(id, out var existing);
            rendered = Render(ConsentBody(existing!));
        }

        return (201, rendered);
    }

    /// <summary>Data.Authorisation.CompletionDateTime: must lie in the future; null when absent.</summary>
    private static DateTimeOffset? CompletionDeadline(JsonObject? authorisation, DateTimeOffset now)
    {
        if (authorisation?["CompletionDateTime"] is not JsonValue v || !v.TryGetValue<string>(out var text))
        {
            return null;
        }

        const string path = "Data.Authorisation.CompletionDateTime";
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            || !HasOffset(text))
        {
            throw ObProblemException.BadRequest(ObErrorCode.FieldInvalidDate, "CompletionDateTime must be an ISO 8601 date-time with a time zone", path);
        }

        return at > now ? at : throw ObProblemException.BadRequest(ObErrorCode.FieldInvalidDate, "CompletionDateTime must be in the future", path);
    }

    internal static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');

    private Task<(int, byte[])> GetConsentAsync(HttpContext ctx)
    {
        var (_, client) = Authorize(ctx);
        var consent = FindConsent(ctx, client);
        return Task.FromResult((200, Render(ConsentBody(consent))));
    }

    private Task<(int, byte[])> FundsConfirmationAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        var consent = FindConsent(ctx, client);
        if (token.Kind != TokenKind.AuthorizationCode || token.ConsentId != consent.ConsentId)
        {
            throw ObProblemException.Status403("funds confirmation needs the token the customer's authorisation of this consent gave");
        }

        ConsentState state;
        lock (_rt.Ledger.Gate)
        {
            state = consent.State;
        }

        if (state != ConsentState.Authorised)
        {
            // OBIE: funds may be confirmed only while the consent is Authorised (not before, nor once consumed).
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidConsentStatus, $"consent is {StatusNames.Consent(state, _version)}; funds can be confirmed only for an authorised consent", "ConsentId");
        }

        var body = new JsonObject
        {
            ["Data"] = new JsonObject
            {
                ["FundsAvailableResult"] = new JsonObject
                {
                    ["FundsAvailableDateTime"] = Money.Timestamp(_rt.Time.GetUtcNow()),
                    ["FundsAvailable"] = _rt.Ledger.FundsAvailable(consent),
                },
            },
            ["Links"] = new JsonObject { ["Self"] = _rt.ResourceUrl(_version, $"/domestic-payment-consents/{consent.ConsentId}/funds-confirmation") },
            ["Meta"] = new JsonObject(),
        };
        return Task.FromResult((200, Render(body)));
    }

    // ---- payments ----
    private async Task<(int, byte[])> CreatePaymentAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx, TokenKind.AuthorizationCode, "a payment needs the token of the customer's authorisation");

        var (key, body, json) = await ReadSignedPostAsync(ctx, client, "/domestic-payments").ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        var consentId = data["ConsentId"]!.GetValue<string>();
        if (token.ConsentId != consentId)
        {
            throw ObProblemException.Status403("the access token is bound to another consent");
        }

        var initiation = (JsonObject)data["Initiation"]!;
        var risk = (JsonObject)json["Risk"]!;
        CheckInitiation(initiation);
        var now = _rt.Time.GetUtcNow();
        var notificationFault = ctx.Items.TryGetValue(FaultMiddleware.NotificationFaultsKey, out var f) ? (FaultKind?)f : null;

        byte[]? rendered = null;
        var id = _rt.Ledger.CreateIdempotent(client.ClientId, $"{_version}:payments", key, SHA256.HashData(body), now, () =>
        {
            var (payment, commit) = _rt.Ledger.PreparePaymentLocked(client.ClientId, _version, consentId, initiation, risk, now);
            payment.DuplicateNotifications = notificationFault == FaultKind.DuplicateNotification;
            payment.OutOfOrderNotifications = notificationFault == FaultKind.OutOfOrderNotification;
            rendered = Render(PaymentBody(payment));
            FailBeforeCommitIfAsked(ctx);
            return (payment.PaymentId, commit);
        }, out _);

        if (rendered is null)
        {
            _rt.Ledger.TryGetPayment(id, out var existing);
            rendered = Render(PaymentBody(existing!));
        }

        return (201, rendered);
    }

    private Task<(int, byte[])> GetPaymentAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        var payment = FindPayment(ctx, client, token);
        return Task.FromResult((200, Render(PaymentBody(payment))));
    }

    private Task<(int, byte[])> PaymentDetailsAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        var payment = FindPayment(ctx, client, token);
        var statuses = new JsonArray();
        lock (_rt.Ledger.Gate)
        {
            foreach (var (state, at) in payment.History)
            {
                statuses.Add(new JsonObject
                {
                    ["PaymentTransactionId"] = payment.PaymentId,
                    ["Status"] = StatusNames.Detail(state, _version),
                    ["StatusUpdateDateTime"] = Money.Timestamp(at),
                });
            }
        }

        var body = new JsonObject
        {
            ["Data"] = new JsonObject { ["PaymentStatus"] = statuses },
            ["Links"] = new JsonObject { ["Self"] = _rt.ResourceUrl(_version, $"/domestic-payments/{payment.PaymentId}/payment-details") },
            ["Meta"] = new JsonObject(),
        };
        return Task.FromResult((200, Render(body)));
    }

    // ---- shared checks ----
    internal (AccessToken Token, SandboxClient Client) Authorize(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var value = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        if (string.IsNullOrEmpty(value))
        {
            throw new ObProblemException(401, new ObError(ObErrorCode.HeaderMissing, "Authorization: Bearer <access token> is required", "Authorization"));
        }

        var token = _rt.OAuth.Find(value, _rt.Time.GetUtcNow()) ?? throw ObProblemException.Status401("the access token is unknown or expired");
        if (!token.Scope.Split(' ').Contains("payments", StringComparer.Ordinal) || !_rt.Clients.TryGet(token.ClientId, out var client))
        {
            throw ObProblemException.Status403("the access token lacks the payments scope");
        }

        CheckOptionalHeaders(ctx);

        return (token, client!);
    }

    /// <summary>As <see cref="Authorize(HttpContext)"/>, and the token must be of <paramref name="kind"/> (403 with <paramref name="refusal"/> otherwise).</summary>
    internal (AccessToken Token, SandboxClient Client) Authorize(HttpContext ctx, TokenKind kind, string refusal)
    {
        var (token, client) = Authorize(ctx);
        return token.Kind == kind ? (token, client) : throw ObProblemException.Status403(refusal);
    }

    /// <summary>
    /// Reads a signed JSON POST: idempotency key (unless <paramref name="idempotent"/> is false), content type, JWS, UTF-8,
    /// unambiguous JSON, schema (of <paramref name="validator"/>, default this version's PIS file). Writes nothing.
    /// </summary>
    internal async Task<(string Key, byte[] Body, JsonObject Json)> ReadSignedPostAsync(HttpContext ctx, SandboxClient client, string template, OpenApiSchemaValidator? validator = null, bool idempotent = true)
    {
        var key = ctx.Request.Headers["x-idempotency-key"].ToString();
        if (!idempotent)
        {
            key = "";
        }
        else if (key.Length == 0)
        {
            throw ObProblemException.BadRequest(ObErrorCode.HeaderMissing, "x-idempotency-key is required", "x-idempotency-key");
        }

        if (idempotent && (key.Length > 40 || char.IsWhiteSpace(key[0]) || char.IsWhiteSpace(key[^1])))
        {
            throw ObProblemException.BadRequest(ObErrorCode.HeaderInvalid, "x-idempotency-key must be 1..40 characters without leading or trailing spaces", "x-idempotency-key");
        }

        // Content negotiation: the PIS POST bodies are JSON in UTF-8 (OBIE: application/json; charset=utf-8).
        if (!IsJsonUtf8(ctx.Request.ContentType))
        {
            throw new ObProblemException(415, new ObError(ObErrorCode.HeaderInvalid, "Content-Type must be application/json (charset utf-8)", "Content-Type"));
        }

        var body = await ReadBodyAsync(ctx).ConfigureAwait(false);
        var jws = ctx.Request.Headers["x-jws-signature"].ToString();
        var check = DetachedJwsVerifier.Verify(jws, body, client.SigningKey, client.JwsIssuer ?? client.ClientId, _rt.Time.GetUtcNow(), _rt.Options.JwsIatTolerance);
        switch (check.Outcome)
        {
            case JwsOutcome.Valid:
                break;
            case JwsOutcome.Missing:
                throw ObProblemException.BadRequest(ObErrorCode.SignatureMissing, "x-jws-signature is required", "x-jws-signature");
            case JwsOutcome.Malformed:
                throw ObProblemException.BadRequest(ObErrorCode.SignatureMalformed, check.Message ?? "malformed JWS", check.Claim ?? "x-jws-signature");
            case JwsOutcome.MissingClaim:
                throw ObProblemException.BadRequest(ObErrorCode.SignatureMissingClaim, check.Message ?? "claim missing", check.Claim);
            case JwsOutcome.InvalidClaim:
                throw ObProblemException.BadRequest(ObErrorCode.SignatureInvalidClaim, check.Message ?? "claim invalid", check.Claim);
            default:
                throw ObProblemException.BadRequest(ObErrorCode.SignatureInvalid, check.Message ?? "signature invalid", "x-jws-signature");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidFormat, "the body is not valid UTF-8");
        }

        JsonObject? json;
        try
        {
            // A repeated property name is ambiguous JSON (RFC 8259 §4: names SHOULD be unique): refused, not guessed.
            json = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException e)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidFormat, "the body is not valid JSON: " + e.Message);
        }

        if (json is null)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidFormat, "the body is not a JSON object");
        }

        CheckStrings(json);

        var result = (validator ?? _validator).ValidateRequest("POST", template, text);
        if (!result.IsValid)
        {
            var errors = result.Errors.Select(e => new ObError(
                e.Kind switch
                {
                    SchemaErrorKind.Missing => ObErrorCode.FieldMissing,
                    SchemaErrorKind.Unexpected => ObErrorCode.FieldUnexpected,
                    _ => ObErrorCode.FieldInvalid,
                },
                $"{e.Message} ({result.SchemaName})",
                e.Path.Length == 0 ? null : e.Path)).ToArray();
            throw new ObProblemException(400, errors);
        }

        return (key, body, json);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool IsJsonUtf8(string? contentType)
    {
        if (contentType is null || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type))
        {
            return false;
        }

        if (!type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = type.Charset.Value;
        return charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every string value must be well-formed Unicode (an escaped lone surrogate such as \ud800 is not).</summary>
    private static void CheckStrings(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    CheckWellFormed(name, path);
                    CheckStrings(child, path.Length == 0 ? name : path + "." + name);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    CheckStrings(a[i], $"{path}[{i}]");
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string value;
                try
                {
                    value = v.GetValue<string>();
                }
                catch (InvalidOperationException)
                {
                    throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "the string is not well-formed Unicode", path);
                }

                CheckWellFormed(value, path);
                break;
        }
    }

    private static void CheckWellFormed(string value, string path)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "the string is not well-formed Unicode (lone surrogate)", path.Length == 0 ? null : path);
        }
    }

    /// <summary>Optional FAPI headers, checked against their spec format when present.</summary>
    private static void CheckOptionalHeaders(HttpContext ctx)
    {
        var authDate = ctx.Request.Headers["x-fapi-auth-date"].ToString();
        if (authDate.Length > 0 && !DateTimeOffset.TryParseExact(authDate, ["r", "ddd, dd MMM yyyy HH:mm:ss 'UTC'"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _))
        {
            throw ObProblemException.BadRequest(ObErrorCode.HeaderInvalid, "x-fapi-auth-date must be an RFC 7231 date (Sun, 10 Sep 2017 19:43:31 GMT)", "x-fapi-auth-date");
        }

        var ip = ctx.Request.Headers["x-fapi-customer-ip-address"].ToString();
        if (ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _))
        {
            throw ObProblemException.BadRequest(ObErrorCode.HeaderInvalid, "x-fapi-customer-ip-address must be an IP address", "x-fapi-customer-ip-address");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext ctx)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxBody)
            {
                throw new ObProblemException(413, new ObError(ObErrorCode.FieldInvalid, "the body is larger than 1 MiB"));
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Rules beyond the schema: GBP, pence, sort-code accounts. Returns amount, creditor, debtor.</summary>
    private static (long Amount, string Creditor, string? Debtor) CheckInitiation(JsonObject initiation)
    {
        var amount = initiation["InstructedAmount"]!;
        if (amount["Currency"]!.GetValue<string>() != "GBP")
        {
            throw ObProblemException.BadRequest(ObErrorCode.UnsupportedCurrency, "the sandbox pays GBP only", "Data.Initiation.InstructedAmount.Currency");
        }

        if (!Money.TryParseMinor(amount["Amount"]!.GetValue<string>(), out var minor))
        {
            throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "amount must be positive with at most 2 decimals", "Data.Initiation.InstructedAmount.Amount");
        }

        var creditor = Account(initiation["CreditorAccount"], "Data.Initiation.CreditorAccount")!;
        var debtor = Account(initiation["DebtorAccount"], "Data.Initiation.DebtorAccount");
        return (minor, creditor, debtor);
    }

    internal static string? Account(JsonNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node["SchemeName"]?.GetValue<string>() != SortCodeScheme)
        {
            throw ObProblemException.BadRequest(ObErrorCode.UnsupportedScheme, "only UK.OBIE.SortCodeAccountNumber is supported", path + ".SchemeName");
        }

        var id = node["Identification"]?.GetValue<string>();
        return SandboxAccount.IsValidIdentification(id)
            ? id
            : throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "sort code and account number must be 14 digits", path + ".Identification");
    }

    private ConsentRecord FindConsent(HttpContext ctx, SandboxClient client)
    {
        var id = ctx.Request.RouteValues["ConsentId"] as string ?? "";
        if (!_rt.Ledger.TryGetConsent(id, out var consent) || consent!.Version != _version || consent.Vrp is not null)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such consent", "ConsentId");
        }

        return consent.ClientId == client.ClientId ? consent : throw ObProblemException.Status403("the consent belongs to another client");
    }

    private PaymentRecord FindPayment(HttpContext ctx, SandboxClient client, AccessToken token)
    {
        var id = ctx.Request.RouteValues["DomesticPaymentId"] as string ?? "";
        if (!_rt.Ledger.TryGetPayment(id, out var payment) || payment!.Version != _version || payment.IsVrp)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such domestic payment", "DomesticPaymentId");
        }

        var allowed = payment.ClientId == client.ClientId && (token.Kind == TokenKind.ClientCredentials || token.ConsentId == payment.ConsentId);
        return allowed ? payment : throw ObProblemException.Status403("the access token does not cover this payment");
    }

    private JsonObject ConsentBody(ConsentRecord c)
    {
        lock (_rt.Ledger.Gate)
        {
            return new JsonObject
            {
                ["Data"] = ConsentData(c),
                ["Risk"] = c.Risk.DeepClone(),
                ["Links"] = new JsonObject { ["Self"] = _rt.ResourceUrl(_version, "/domestic-payment-consents/" + c.ConsentId) },
                ["Meta"] = new JsonObject(),
            };
        }
    }

    private JsonObject ConsentData(ConsentRecord c)
    {
        var data = new JsonObject
        {
            ["ConsentId"] = c.ConsentId,
            ["CreationDateTime"] = Money.Timestamp(c.Created),
            ["Status"] = StatusNames.Consent(c.State, _version),
            ["StatusUpdateDateTime"] = Money.Timestamp(c.StatusUpdated),
        };
        if (c.ReadRefundAccount)
        {
            data["ReadRefundAccount"] = "Yes";
        }

        data["Initiation"] = c.Initiation.DeepClone();
        if (c.Authorisation is not null)
        {
            data["Authorisation"] = c.Authorisation.DeepClone();
        }

        // OBCashAccountDebtor4: "only included in the response if Data.ReadRefundAccount is set to Yes".
        if (c.ReadRefundAccount && (c.AuthorisedDebtor ?? c.DebtorAccount) is { } debtor)
        {
            data["Debtor"] = AccountNode(debtor);
        }

        return data;
    }

    /// <summary>The payer's account as this bank knows it (scheme, identification, the holder's name).</summary>
    internal JsonObject AccountNode(string identification) => new()
    {
        ["SchemeName"] = SortCodeScheme,
        ["Identification"] = identification,
        ["Name"] = _rt.Accounts.TryGet(identification, out var account) ? account!.Name : "Account holder",
    };

    private JsonObject PaymentExtras(PaymentRecord p, JsonObject data)
    {
        // The sandbox executes at once and settles after its two configured delays.
        data["ExpectedExecutionDateTime"] = Money.Timestamp(p.Created);
        data["ExpectedSettlementDateTime"] = Money.Timestamp(p.Created + _rt.Options.AcceptanceDelay + _rt.Options.SettlementDelay);
        if (p.State == PaymentState.Rejected && _version == PisVersion.V4)
        {
            // v4.0 Data.StatusReason (OBExternalStatusReason1Code): the sandbox rejects only for funds.
            data["StatusReason"] = new JsonArray(new JsonObject { ["StatusReasonCode"] = "AM04", ["StatusReasonDescription"] = "insufficient funds in the debtor account" });
        }

        // OBIE: Data.Refund is returned when the consent asked for it (ReadRefundAccount: Yes): the
        // account the money came from, as the bank verified it.
        if (_rt.Ledger.TryGetConsent(p.ConsentId, out var consent) && consent!.ReadRefundAccount)
        {
            data["Refund"] = new JsonObject { ["Account"] = AccountNode(p.DebtorAccount) };
            data["Debtor"] = AccountNode(p.DebtorAccount);
        }

        return data;
    }

    private JsonObject PaymentBody(PaymentRecord p)
    {
        lock (_rt.Ledger.Gate)
        {
            return new JsonObject
            {
                ["Data"] = PaymentExtras(p, new JsonObject
                {
                    ["DomesticPaymentId"] = p.PaymentId,
                    ["ConsentId"] = p.ConsentId,
                    ["CreationDateTime"] = Money.Timestamp(p.Created),
                    ["Status"] = StatusNames.Payment(p.State, _version),
                    ["StatusUpdateDateTime"] = Money.Timestamp(p.StatusUpdated),
                    ["Initiation"] = p.Initiation.DeepClone(),
                }),
                ["Links"] = new JsonObject { ["Self"] = _rt.ResourceUrl(_version, "/domestic-payments/" + p.PaymentId) },
                ["Meta"] = new JsonObject(),
            };
        }
    }
}
