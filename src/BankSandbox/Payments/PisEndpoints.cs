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

    private PisEndpoints(SandboxRuntime rt, PisVersion version)
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

    private async Task Run(HttpContext ctx, Func<HttpContext, Task<(int Status, JsonNode Body)>> handler)
    {
        (int Status, JsonNode Body) result;
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
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException or NullReferenceException or InvalidCastException)
        {
            // A bug or an input the checks above let through: still an OBIE error body, never a bare 500.
            await ObResponder.WriteProblemAsync(ctx, _rt, _version, new ObProblemException(500, new ObError(ObErrorCode.UnexpectedError, "the bank could not process the request"))).ConfigureAwait(false);
            return;
        }

        await ObResponder.WriteJsonAsync(ctx, _rt, result.Status, result.Body).ConfigureAwait(false);
    }

    // ---- consents ----
    private async Task<(int, JsonNode)> CreateConsentAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        if (token.Kind != TokenKind.ClientCredentials)
        {
            throw ObProblemException.Status403();
        }

        var (key, body, json) = await ReadSignedPostAsync(ctx, client, "/domestic-payment-consents").ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        var initiation = (JsonObject)data["Initiation"]!;
        var risk = (JsonObject)json["Risk"]!;
        var (amount, creditor, debtor) = CheckInitiation(initiation);
        var now = _rt.Time.GetUtcNow();

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
                State = ConsentState.AwaitingAuthorisation,
                StatusUpdated = now,
            };
            return _rt.Ledger.AddConsent(consent).ConsentId;
        }, out _);

        _rt.Ledger.TryGetConsent(id, out var created);
        return (201, ConsentBody(created!));
    }

    private Task<(int, JsonNode)> GetConsentAsync(HttpContext ctx)
    {
        var (_, client) = Authorize(ctx);
        var consent = FindConsent(ctx, client);
        return Task.FromResult<(int, JsonNode)>((200, ConsentBody(consent)));
    }

    private Task<(int, JsonNode)> FundsConfirmationAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        var consent = FindConsent(ctx, client);
        if (token.Kind != TokenKind.AuthorizationCode || token.ConsentId != consent.ConsentId)
        {
            throw ObProblemException.Status403();
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
        return Task.FromResult<(int, JsonNode)>((200, body));
    }

    // ---- payments ----
    private async Task<(int, JsonNode)> CreatePaymentAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        if (token.Kind != TokenKind.AuthorizationCode)
        {
            throw ObProblemException.Status403();
        }

        var (key, body, json) = await ReadSignedPostAsync(ctx, client, "/domestic-payments").ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        var consentId = data["ConsentId"]!.GetValue<string>();
        if (token.ConsentId != consentId)
        {
            throw ObProblemException.Status403();
        }

        var initiation = (JsonObject)data["Initiation"]!;
        var risk = (JsonObject)json["Risk"]!;
        CheckInitiation(initiation);
        var now = _rt.Time.GetUtcNow();
        var notificationFault = ctx.Items.TryGetValue(FaultMiddleware.NotificationFaultsKey, out var f) ? (FaultKind?)f : null;

        var id = _rt.Ledger.CreateIdempotent(client.ClientId, $"{_version}:payments", key, SHA256.HashData(body), now, () =>
        {
            var payment = _rt.Ledger.SubmitLocked(client.ClientId, _version, consentId, initiation, risk, now);
            payment.DuplicateNotifications = notificationFault == FaultKind.DuplicateNotification;
            payment.OutOfOrderNotifications = notificationFault == FaultKind.OutOfOrderNotification;
            return payment.PaymentId;
        }, out _);

        _rt.Ledger.TryGetPayment(id, out var created);
        return (201, PaymentBody(created!));
    }

    private Task<(int, JsonNode)> GetPaymentAsync(HttpContext ctx)
    {
        var (token, client) = Authorize(ctx);
        var payment = FindPayment(ctx, client, token);
        return Task.FromResult<(int, JsonNode)>((200, PaymentBody(payment)));
    }

    private Task<(int, JsonNode)> PaymentDetailsAsync(HttpContext ctx)
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
        return Task.FromResult<(int, JsonNode)>((200, body));
    }

    // ---- shared checks ----
    private (AccessToken Token, SandboxClient Client) Authorize(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var value = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var token = _rt.OAuth.Find(value, _rt.Time.GetUtcNow()) ?? throw ObProblemException.Status401();
        if (!token.Scope.Split(' ').Contains("payments", StringComparer.Ordinal) || !_rt.Clients.TryGet(token.ClientId, out var client))
        {
            throw ObProblemException.Status403();
        }

        return (token, client!);
    }

    private async Task<(string Key, byte[] Body, JsonObject Json)> ReadSignedPostAsync(HttpContext ctx, SandboxClient client, string template)
    {
        var key = ctx.Request.Headers["x-idempotency-key"].ToString();
        if (key.Length == 0)
        {
            throw ObProblemException.BadRequest(ObErrorCode.HeaderMissing, "x-idempotency-key is required", "x-idempotency-key");
        }

        if (key.Length > 40 || char.IsWhiteSpace(key[0]) || char.IsWhiteSpace(key[^1]))
        {
            throw ObProblemException.BadRequest(ObErrorCode.HeaderInvalid, "x-idempotency-key must be 1..40 characters without leading or trailing spaces", "x-idempotency-key");
        }

        var contentType = ctx.Request.ContentType;
        if (contentType is not null && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ObProblemException(415);
        }

        var body = await ReadBodyAsync(ctx).ConfigureAwait(false);
        var jws = ctx.Request.Headers["x-jws-signature"].ToString();
        var check = DetachedJwsVerifier.Verify(jws, body, client.SigningKey, client.JwsIssuer ?? client.ClientId, _rt.Time.GetUtcNow());
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

        JsonObject? json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }

        if (json is null)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidFormat, "the body is not a JSON object");
        }

        var result = _validator.ValidateRequest("POST", template, Encoding.UTF8.GetString(body));
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
                throw new ObProblemException(413);
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

    private static string? Account(JsonNode? node, string path)
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
        if (!_rt.Ledger.TryGetConsent(id, out var consent) || consent!.Version != _version)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such consent", "ConsentId");
        }

        return consent.ClientId == client.ClientId ? consent : throw ObProblemException.Status403();
    }

    private PaymentRecord FindPayment(HttpContext ctx, SandboxClient client, AccessToken token)
    {
        var id = ctx.Request.RouteValues["DomesticPaymentId"] as string ?? "";
        if (!_rt.Ledger.TryGetPayment(id, out var payment) || payment!.Version != _version)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such domestic payment", "DomesticPaymentId");
        }

        var allowed = payment.ClientId == client.ClientId && (token.Kind == TokenKind.ClientCredentials || token.ConsentId == payment.ConsentId);
        return allowed ? payment : throw ObProblemException.Status403();
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

        // OBCashAccountDebtor4: "only included in the response if Data.ReadRefundAccount is set to Yes".
        if (c.ReadRefundAccount && (c.AuthorisedDebtor ?? c.DebtorAccount) is { } debtor)
        {
            data["Debtor"] = AccountNode(debtor);
        }

        return data;
    }

    /// <summary>The payer's account as this bank knows it (scheme, identification, the holder's name).</summary>
    private JsonObject AccountNode(string identification) => new()
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
