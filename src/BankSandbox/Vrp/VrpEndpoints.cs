using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Errors;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Hosting;
using Settlement.BankSandbox.OAuth;
using Settlement.BankSandbox.Payments;
using Settlement.BankSandbox.Validation;

namespace Settlement.BankSandbox.Vrp;

/// <summary>
/// The OBIE VRP v4.0 endpoints (sweeping): domestic-vrp-consents (create, get, delete, funds confirmation) and
/// domestic-vrps (create, get, payment-details), under <c>/open-banking/v4.0/pisp</c> beside the v4.0 PIS. Requests
/// pass the same checks as PIS (headers, JWS, strict JSON, the VRP OpenAPI schema) before anything is written.
/// </summary>
internal sealed class VrpEndpoints
{
    private const PisVersion Version = PisVersion.V4;

    private readonly SandboxRuntime _rt;
    private readonly PisEndpoints _shared;
    private readonly OpenApiSchemaValidator _validator = OpenApiSchemaValidator.Vrp;

    private VrpEndpoints(SandboxRuntime rt)
    {
        _rt = rt;
        _shared = new PisEndpoints(rt, Version);
    }

    public static void Map(IEndpointRouteBuilder app, SandboxRuntime rt)
    {
        var e = new VrpEndpoints(rt);
        var g = app.MapGroup(SandboxRuntime.PispPath(Version));
        g.MapPost("/domestic-vrp-consents", ctx => e.Run(ctx, e.CreateConsentAsync));
        g.MapGet("/domestic-vrp-consents/{ConsentId}", ctx => e.Run(ctx, e.GetConsentAsync));
        g.MapDelete("/domestic-vrp-consents/{ConsentId}", ctx => e.Run(ctx, e.DeleteConsentAsync));
        g.MapPost("/domestic-vrp-consents/{ConsentId}/funds-confirmation", ctx => e.Run(ctx, e.FundsConfirmationAsync));
        g.MapPost("/domestic-vrps", ctx => e.Run(ctx, e.CreatePaymentAsync));
        g.MapGet("/domestic-vrps/{DomesticVRPId}", ctx => e.Run(ctx, e.GetPaymentAsync));
        g.MapGet("/domestic-vrps/{DomesticVRPId}/payment-details", ctx => e.Run(ctx, e.PaymentDetailsAsync));
    }

    // As for PIS: an ObProblemException becomes an OBIE problem; any other exception a 500 OBIE body in
    // PisConformanceMiddleware, with nothing stored.
    private Task Run(HttpContext ctx, Func<HttpContext, Task<(int Status, byte[] Body)>> handler) => _shared.Run(ctx, handler);

    // ---- consents ----
    private async Task<(int, byte[])> CreateConsentAsync(HttpContext ctx)
    {
        var (_, client) = _shared.Authorize(ctx, TokenKind.ClientCredentials, "a client-credentials token is required to create a consent");

        var (key, body, json) = await _shared.ReadSignedPostAsync(ctx, client, "/domestic-vrp-consents", _validator).ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        var initiation = (JsonObject)data["Initiation"]!;
        var risk = (JsonObject)json["Risk"]!;
        var now = _rt.Time.GetUtcNow();
        var terms = VrpTerms.Parse((JsonObject)data["ControlParameters"]!, now);
        var creditor = PisEndpoints.Account(initiation["CreditorAccount"], "Data.Initiation.CreditorAccount")
            ?? throw ObProblemException.BadRequest(ObErrorCode.FieldMissing, "a sweeping consent names its CreditorAccount (the sandbox requires it)", "Data.Initiation.CreditorAccount");
        var debtor = PisEndpoints.Account(initiation["DebtorAccount"], "Data.Initiation.DebtorAccount");

        byte[]? rendered = null;
        var id = _rt.Ledger.CreateIdempotent(client.ClientId, "vrp:consents", key, SHA256.HashData(body), now, () =>
        {
            var consent = new ConsentRecord
            {
                ConsentId = SandboxLedger.NewId("dvrpc-"),
                ClientId = client.ClientId,
                Version = Version,
                Created = now,
                Initiation = (JsonObject)initiation.DeepClone(),
                Risk = (JsonObject)risk.DeepClone(),
                AmountMinor = 0,
                CreditorAccount = creditor,
                DebtorAccount = debtor,
                ReadRefundAccount = data["ReadRefundAccount"]?.GetValue<string>() == "Yes",
                State = ConsentState.AwaitingAuthorisation,
                StatusUpdated = now,
                Vrp = terms,
            };
            rendered = PisEndpoints.Render(ConsentBody(consent));
            PisEndpoints.FailBeforeCommitIfAsked(ctx);
            return (consent.ConsentId, () => _rt.Ledger.AddConsent(consent));
        }, out _);

        if (rendered is null)
        {
            _rt.Ledger.TryGetConsent(id, out var existing);
            rendered = PisEndpoints.Render(ConsentBody(existing!));
        }

        return (201, rendered);
    }

    private Task<(int, byte[])> GetConsentAsync(HttpContext ctx)
    {
        var (_, client) = _shared.Authorize(ctx);
        var consent = FindConsent(ctx, client);
        return Task.FromResult((200, PisEndpoints.Render(ConsentBody(consent))));
    }

    private Task<(int, byte[])> DeleteConsentAsync(HttpContext ctx)
    {
        var (_, client) = _shared.Authorize(ctx);
        var consent = FindConsent(ctx, client);
        if (ctx.Items.ContainsKey(FaultMiddleware.FailBeforeCommitKey))
        {
            throw new InvalidOperationException("injected failure before commit (FailBeforeCommit)");
        }

        // Deleting an already revoked or expired consent changes nothing and answers 204 again (a retry is safe).
        _rt.Ledger.Revoke(consent, _rt.Time.GetUtcNow());
        return Task.FromResult((204, Array.Empty<byte>()));
    }

    private async Task<(int, byte[])> FundsConfirmationAsync(HttpContext ctx)
    {
        var (token, client) = _shared.Authorize(ctx);
        var consent = FindConsent(ctx, client);
        if (token.Kind != TokenKind.AuthorizationCode || token.ConsentId != consent.ConsentId)
        {
            throw ObProblemException.Status403("funds confirmation needs the token the customer's authorisation of this consent gave");
        }

        var (_, _, json) = await _shared.ReadSignedPostAsync(ctx, client, "/domestic-vrp-consents/" + consent.ConsentId + "/funds-confirmation", _validator, idempotent: false).ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        if (data["ConsentId"]!.GetValue<string>() != consent.ConsentId)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceConsentMismatch, "Data.ConsentId differs from the consent in the path", "Data.ConsentId");
        }

        var amount = (JsonObject)data["InstructedAmount"]!;
        var minor = AmountOf(amount, "Data.InstructedAmount");
        RequireAuthorised(consent, "ConsentId");

        var now = _rt.Time.GetUtcNow();
        var result = new JsonObject
        {
            ["FundsConfirmationId"] = SandboxLedger.NewId("vfc-"),
            ["ConsentId"] = consent.ConsentId,
            ["CreationDateTime"] = Money.Timestamp(now),
            ["FundsAvailableResult"] = new JsonObject
            {
                ["FundsAvailableDateTime"] = Money.Timestamp(now),
                ["FundsAvailable"] = _rt.Ledger.FundsAvailable(consent, minor) ? "Available" : "NotAvailable",
            },
            ["InstructedAmount"] = amount.DeepClone(),
        };
        if (data["Reference"] is { } reference)
        {
            result["Reference"] = reference.DeepClone();
        }

        return (201, PisEndpoints.Render(new JsonObject { ["Data"] = result }));
    }

    // ---- payments ----
    private async Task<(int, byte[])> CreatePaymentAsync(HttpContext ctx)
    {
        var (token, client) = _shared.Authorize(ctx, TokenKind.AuthorizationCode, "a VRP needs the token of the customer's authorisation of the consent");

        var (key, body, json) = await _shared.ReadSignedPostAsync(ctx, client, "/domestic-vrps", _validator).ConfigureAwait(false);
        var data = (JsonObject)json["Data"]!;
        var consentId = data["ConsentId"]!.GetValue<string>();
        if (token.ConsentId != consentId)
        {
            throw ObProblemException.Status403("the access token is bound to another consent");
        }

        var initiation = (JsonObject)data["Initiation"]!;
        var instruction = (JsonObject)data["Instruction"]!;
        var risk = (JsonObject)json["Risk"]!;
        var amount = AmountOf((JsonObject)instruction["InstructedAmount"]!, "Data.Instruction.InstructedAmount");
        var creditor = PisEndpoints.Account(instruction["CreditorAccount"], "Data.Instruction.CreditorAccount")!;
        var vrpType = data["VRPType"]!.GetValue<string>();
        var method = data["PSUAuthenticationMethod"]!.GetValue<string>();
        var now = _rt.Time.GetUtcNow();
        var notificationFault = ctx.Items.TryGetValue(FaultMiddleware.NotificationFaultsKey, out var f) ? (FaultKind?)f : null;

        byte[]? rendered = null;
        var id = _rt.Ledger.CreateIdempotent(client.ClientId, "vrp:payments", key, SHA256.HashData(body), now, () =>
        {
            // Under the ledger's gate: the limit check and the write cannot interleave with another VRP.
            if (!_rt.Ledger.TryGetConsent(consentId, out var consent) || consent!.Vrp is null)
            {
                throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such VRP consent", "Data.ConsentId");
            }

            if (consent.ClientId != client.ClientId)
            {
                throw ObProblemException.Status403("the consent belongs to another client");
            }

            RequireAuthorisedLocked(consent, "Data.ConsentId");
            if (!JsonNode.DeepEquals(consent.Initiation, initiation))
            {
                throw ObProblemException.BadRequest(ObErrorCode.ResourceConsentMismatch, "Initiation does not match the consent", "Data.Initiation");
            }

            if (creditor != consent.CreditorAccount)
            {
                throw ObProblemException.BadRequest(ObErrorCode.ResourceConsentMismatch, "Instruction.CreditorAccount must be the consent's CreditorAccount", "Data.Instruction.CreditorAccount");
            }

            if (!consent.Vrp.AllowedVrpTypes.Contains(vrpType, StringComparer.Ordinal))
            {
                throw ObProblemException.BadRequest(ObErrorCode.RulesFailsControlParameters, "VRPType is not one the consent allows", "Data.VRPType");
            }

            if (!consent.Vrp.AllowedAuthenticationMethods.Contains(method, StringComparer.Ordinal))
            {
                throw ObProblemException.BadRequest(ObErrorCode.RulesFailsControlParameters, "PSUAuthenticationMethod is not one the consent allows", "Data.PSUAuthenticationMethod");
            }

            if (consent.Vrp.BreachLocked(amount, now, consent.Created) is { } breach)
            {
                throw ObProblemException.BadRequest(ObErrorCode.RulesFailsControlParameters, breach.Message, breach.Path);
            }

            var payment = new PaymentRecord
            {
                PaymentId = SandboxLedger.NewId("dvrp-"),
                ConsentId = consentId,
                ClientId = client.ClientId,
                Version = Version,
                Created = now,
                Initiation = (JsonObject)initiation.DeepClone(),
                VrpInstruction = (JsonObject)instruction.DeepClone(),
                Risk = (JsonObject)risk.DeepClone(),
                AmountMinor = amount,
                DebtorAccount = consent.AuthorisedDebtor ?? consent.DebtorAccount ?? throw new InvalidOperationException("authorised consent without debtor"),
                CreditorAccount = consent.CreditorAccount,
                State = PaymentState.Received,
                StatusUpdated = now,
                DuplicateNotifications = notificationFault == FaultKind.DuplicateNotification,
                OutOfOrderNotifications = notificationFault == FaultKind.OutOfOrderNotification,
            };
            payment.History.Add((PaymentState.Received, now));
            rendered = PisEndpoints.Render(PaymentBody(payment, consent));
            PisEndpoints.FailBeforeCommitIfAsked(ctx);
            return (payment.PaymentId, () => _rt.Ledger.AddVrpPaymentLocked(consent, payment));
        }, out _);

        if (rendered is null)
        {
            _rt.Ledger.TryGetPayment(id, out var existing);
            _rt.Ledger.TryGetConsent(existing!.ConsentId, out var consent);
            rendered = PisEndpoints.Render(PaymentBody(existing, consent!));
        }

        return (201, rendered);
    }

    private Task<(int, byte[])> GetPaymentAsync(HttpContext ctx)
    {
        var (token, client) = _shared.Authorize(ctx);
        var (payment, consent) = FindPayment(ctx, client, token);
        return Task.FromResult((200, PisEndpoints.Render(PaymentBody(payment, consent))));
    }

    private Task<(int, byte[])> PaymentDetailsAsync(HttpContext ctx)
    {
        var (token, client) = _shared.Authorize(ctx);
        var (payment, _) = FindPayment(ctx, client, token);
        var statuses = new JsonArray();
        lock (_rt.Ledger.Gate)
        {
            foreach (var (state, at) in payment.History)
            {
                statuses.Add(new JsonObject
                {
                    ["PaymentTransactionId"] = payment.PaymentId,
                    ["Status"] = StatusNames.Payment(state, Version),
                    ["StatusUpdateDateTime"] = Money.Timestamp(at),
                });
            }
        }

        return Task.FromResult((200, PisEndpoints.Render(new JsonObject { ["Data"] = new JsonObject { ["PaymentStatus"] = statuses } })));
    }

    // ---- shared ----
    private static long AmountOf(JsonObject amount, string path)
    {
        if (amount["Currency"]!.GetValue<string>() != "GBP")
        {
            throw ObProblemException.BadRequest(ObErrorCode.UnsupportedCurrency, "the sandbox pays GBP only", path + ".Currency");
        }

        return Money.TryParseMinor(amount["Amount"]!.GetValue<string>(), out var minor)
            ? minor
            : throw ObProblemException.BadRequest(ObErrorCode.FieldInvalid, "amount must be positive with at most 2 decimals", path + ".Amount");
    }

    private void RequireAuthorised(ConsentRecord consent, string path)
    {
        lock (_rt.Ledger.Gate)
        {
            RequireAuthorisedLocked(consent, path);
        }
    }

    private static void RequireAuthorisedLocked(ConsentRecord consent, string path)
    {
        if (consent.State != ConsentState.Authorised)
        {
            // Awaiting authorisation, rejected, revoked (CANC) or past ValidToDateTime (EXPD).
            throw ObProblemException.BadRequest(ObErrorCode.ResourceInvalidConsentStatus, $"consent is {StatusNames.Consent(consent.State, Version)}; it must be AUTH", path);
        }
    }

    private ConsentRecord FindConsent(HttpContext ctx, SandboxClient client)
    {
        var id = ctx.Request.RouteValues["ConsentId"] as string ?? "";
        if (!_rt.Ledger.TryGetConsent(id, out var consent) || consent!.Vrp is null)
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such VRP consent", "ConsentId");
        }

        return consent.ClientId == client.ClientId ? consent : throw ObProblemException.Status403("the consent belongs to another client");
    }

    private (PaymentRecord Payment, ConsentRecord Consent) FindPayment(HttpContext ctx, SandboxClient client, AccessToken token)
    {
        var id = ctx.Request.RouteValues["DomesticVRPId"] as string ?? "";
        if (!_rt.Ledger.TryGetPayment(id, out var payment) || !payment!.IsVrp || !_rt.Ledger.TryGetConsent(payment.ConsentId, out var consent))
        {
            throw ObProblemException.BadRequest(ObErrorCode.ResourceNotFound, "no such domestic VRP", "DomesticVRPId");
        }

        var allowed = payment.ClientId == client.ClientId && (token.Kind == TokenKind.ClientCredentials || token.ConsentId == payment.ConsentId);
        return allowed ? (payment, consent!) : throw ObProblemException.Status403("the access token does not cover this payment");
    }

    private JsonObject ConsentBody(ConsentRecord c)
    {
        lock (_rt.Ledger.Gate)
        {
            var data = new JsonObject
            {
                ["ConsentId"] = c.ConsentId,
                ["CreationDateTime"] = Money.Timestamp(c.Created),
                ["Status"] = StatusNames.Consent(c.State, Version),
                ["StatusUpdateDateTime"] = Money.Timestamp(c.StatusUpdated),
            };
            if (c.ReadRefundAccount)
            {
                data["ReadRefundAccount"] = "Yes";
            }

            data["ControlParameters"] = c.Vrp!.ControlParameters.DeepClone();
            data["Initiation"] = c.Initiation.DeepClone();

            // "The DebtorAccount details as specified by the PSU when account selection happens at the ASPSP": the
            // account fixed at authorisation, so the PISP can tie later VRPs to it.
            if ((c.AuthorisedDebtor ?? c.DebtorAccount) is { } debtor)
            {
                data["DebtorAccount"] = _shared.AccountNode(debtor);
            }

            return new JsonObject
            {
                ["Data"] = data,
                ["Risk"] = c.Risk.DeepClone(),
                ["Links"] = new JsonObject { ["Self"] = _rt.ResourceUrl(Version, "/domestic-vrp-consents/" + c.ConsentId) },
                ["Meta"] = new JsonObject(),
            };
        }
    }

    private JsonObject PaymentBody(PaymentRecord p, ConsentRecord consent)
    {
        lock (_rt.Ledger.Gate)
        {
            var data = new JsonObject
            {
                ["DomesticVRPId"] = p.PaymentId,
                ["ConsentId"] = p.ConsentId,
                ["CreationDateTime"] = Money.Timestamp(p.Created),
                ["Status"] = StatusNames.Payment(p.State, Version),
                ["StatusUpdateDateTime"] = Money.Timestamp(p.StatusUpdated),
                ["ExpectedExecutionDateTime"] = Money.Timestamp(p.Created),
                ["ExpectedSettlementDateTime"] = Money.Timestamp(p.Created + _rt.Options.AcceptanceDelay + _rt.Options.SettlementDelay),
            };
            if (p.State == PaymentState.Rejected)
            {
                data["StatusReason"] = new JsonArray(new JsonObject { ["StatusReasonCode"] = "AM04", ["StatusReasonDescription"] = "insufficient funds in the debtor account" });
            }

            if (consent.ReadRefundAccount)
            {
                // Data.Refund (OBCashAccountDebtorWithName) only when the consent asked for it.
                data["Refund"] = _shared.AccountNode(p.DebtorAccount);
            }

            data["Initiation"] = p.Initiation.DeepClone();
            data["Instruction"] = p.VrpInstruction!.DeepClone();
            data["DebtorAccount"] = _shared.AccountNode(p.DebtorAccount);
            return new JsonObject
            {
                ["Data"] = data,
                ["Risk"] = p.Risk!.DeepClone(),
                ["Links"] = new JsonObject { ["Self"] = _rt.ResourceUrl(Version, "/domestic-vrps/" + p.PaymentId) },
                ["Meta"] = new JsonObject(),
            };
        }
    }
}
