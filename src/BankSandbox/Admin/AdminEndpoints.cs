using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Customer;
using Settlement.BankSandbox.Errors;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Hosting;

namespace Settlement.BankSandbox.Admin;

/// <summary>The HTTP twins of the in-process control objects (loopback only, no auth): accounts, clients, faults, decisions.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app, SandboxRuntime rt)
    {
        app.MapGet("/sandbox/accounts", ctx => ObResponder.WriteJsonAsync(ctx, rt, 200, AccountsJson(rt), "application/json", sign: false));
        app.MapPost("/sandbox/accounts", ctx => Guard(ctx, rt, async body =>
        {
            rt.Accounts.Set(new SandboxAccount
            {
                Identification = Str(body, "identification") ?? throw new ArgumentException("identification is required"),
                Name = Str(body, "name") ?? "Sandbox account",
                BalanceMinor = body["balanceMinor"]?.GetValue<long>() ?? 0,
            });
            await ObResponder.WriteJsonAsync(ctx, rt, 200, AccountsJson(rt), "application/json", sign: false).ConfigureAwait(false);
        }));
        app.MapPost("/sandbox/clients", ctx => Guard(ctx, rt, async body =>
        {
            SecurityKey? key = null;
            var jwk = body["jwk"] ?? body["jwks"]?["keys"]?[0];
            if (jwk is not null)
            {
                key = new JsonWebKey(jwk.ToJsonString());
            }

            var redirects = body["redirect_uris"] as JsonArray ?? [];
            rt.Clients.Register(new SandboxClient
            {
                ClientId = Str(body, "client_id") ?? throw new ArgumentException("client_id is required"),
                ClientSecret = Str(body, "client_secret"),
                SigningKey = key,
                RedirectUris = redirects.Select(r => r!.GetValue<string>()).ToList(),
                NotificationUrl = Str(body, "notification_url") is { } n ? new Uri(n) : null,
                JwsIssuer = Str(body, "jws_issuer"),
            });
            await ObResponder.WriteEmptyAsync(ctx, 204).ConfigureAwait(false);
        }));
        app.MapPost("/sandbox/faults", ctx => Guard(ctx, rt, async body =>
        {
            rt.Faults.Add(new FaultRule
            {
                Kind = Enum.Parse<FaultKind>(Str(body, "kind") ?? throw new ArgumentException("kind is required"), ignoreCase: true),
                Method = Str(body, "method"),
                PathPrefix = Str(body, "pathPrefix"),
                Times = body["times"]?.GetValue<int>() ?? 1,
                RetryAfterSeconds = body["retryAfterSeconds"]?.GetValue<int>() ?? 1,
                Latency = TimeSpan.FromMilliseconds(body["latencyMs"]?.GetValue<int>() ?? 1000),
            });
            await ObResponder.WriteEmptyAsync(ctx, 204).ConfigureAwait(false);
        }));
        app.MapDelete("/sandbox/faults", ctx =>
        {
            rt.Faults.Clear();
            return ObResponder.WriteEmptyAsync(ctx, 204);
        });
        app.MapPost("/sandbox/decisions", ctx => Guard(ctx, rt, async body =>
        {
            var consentId = Str(body, "consentId") ?? throw new ArgumentException("consentId is required");
            rt.Customer.SetDecision(consentId, Enum.Parse<CustomerDecision>(Str(body, "decision") ?? "approve", ignoreCase: true));
            if (Str(body, "debtorAccount") is { } debtor)
            {
                rt.Customer.SetDebtorAccount(consentId, debtor);
            }

            await ObResponder.WriteEmptyAsync(ctx, 204).ConfigureAwait(false);
        }));
    }

    private static JsonArray AccountsJson(SandboxRuntime rt) => new(rt.Accounts.All().Select(a => (JsonNode)new JsonObject
    {
        ["schemeName"] = "UK.OBIE.SortCodeAccountNumber",
        ["identification"] = a.Identification,
        ["name"] = a.Name,
        ["balanceMinor"] = a.BalanceMinor,
        ["currency"] = a.Currency,
    }).ToArray());

    private static string? Str(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static async Task Guard(HttpContext ctx, SandboxRuntime rt, Func<JsonObject, Task> action)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            await ObResponder.WriteProblemJsonAsync(ctx, rt, 400, "Bad request", "the body must be a JSON object").ConfigureAwait(false);
            return;
        }

        try
        {
            await action(body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or JsonException or UriFormatException)
        {
            await ObResponder.WriteProblemJsonAsync(ctx, rt, 400, "Bad request", e.Message).ConfigureAwait(false);
        }
    }
}
