using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Settlement.BankSandbox.Errors;
using Settlement.BankSandbox.Hosting;

namespace Settlement.BankSandbox.Faults;

/// <summary>Applies matching fault rules (and the x-sandbox-fault header) before the endpoint runs.</summary>
internal static class FaultMiddleware
{
    public const string NotificationFaultsKey = "sandbox.notification-faults";
    public const string FailBeforeCommitKey = "sandbox.fail-before-commit";

    public static async Task InvokeAsync(HttpContext ctx, SandboxRuntime rt, Func<Task> next)
    {
        var path = ctx.Request.Path.Value ?? "/";
        // x-fapi-interaction-id is set before this by PisConformanceMiddleware.
        var rules = path.StartsWith("/sandbox", StringComparison.Ordinal) ? [] : rt.Faults.TakeForRequest(ctx.Request.Method, path);
        if (FaultInjector.TryParseHeader(ctx.Request.Headers[FaultInjector.HeaderName].ToString(), out var fromHeader))
        {
            if (fromHeader!.IsNotificationFault)
            {
                ctx.Items[NotificationFaultsKey] = fromHeader.Kind;
            }
            else
            {
                rules.Add(fromHeader);
            }
        }

        var latency = rules.Find(r => r.Kind == FaultKind.Latency);
        if (latency is not null)
        {
            await Task.Delay(latency.Latency, rt.Time, ctx.RequestAborted).ConfigureAwait(false);
        }

        if (rules.Exists(r => r.Kind == FaultKind.TooManyRequests))
        {
            var seconds = rules.Find(r => r.Kind == FaultKind.TooManyRequests)!.RetryAfterSeconds;
            ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            if (PisPaths.VersionOf(path) is { } pis)
            {
                await ObResponder.WriteProblemAsync(ctx, rt, pis, new ObProblemException(429, new ObError(ObErrorCode.UnexpectedError, "too many requests (injected)"))).ConfigureAwait(false);
            }
            else
            {
                await ObResponder.WriteEmptyAsync(ctx, StatusCodes.Status429TooManyRequests).ConfigureAwait(false);
            }

            return;
        }

        if (rules.Exists(r => r.Kind == FaultKind.ServerError))
        {
            var version = PisPaths.VersionOf(path);
            if (version is { } v)
            {
                var body = ObResponder.ErrorBody(v, 500, [new ObError(ObErrorCode.UnexpectedError, "injected server error")]);
                await ObResponder.WriteJsonAsync(ctx, rt, 500, body).ConfigureAwait(false);
            }
            else
            {
                await ObResponder.WriteJsonAsync(ctx, rt, 500, new JsonObject { ["error"] = "server_error", ["error_description"] = "injected server error" }, sign: false).ConfigureAwait(false);
            }

            return;
        }

        if (rules.Exists(r => r.Kind == FaultKind.FailBeforeCommit))
        {
            ctx.Items[FailBeforeCommitKey] = true;
        }

        if (rules.Exists(r => r.Kind == FaultKind.DropResponseAfterCommit))
        {
            ctx.Items[ObResponder.DropKey] = true;
        }

        await next().ConfigureAwait(false);
    }
}
