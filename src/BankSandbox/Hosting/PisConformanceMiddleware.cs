using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Settlement.BankSandbox.Errors;

namespace Settlement.BankSandbox.Hosting;

/// <summary>
/// The first middleware: sets <c>x-fapi-interaction-id</c> on every response (the request's when it is a UUID, else
/// a new one) and, on PIS paths, refuses an Accept that excludes JSON (406), turns any unhandled exception into a 500
/// OBErrorResponse1 (UK.OBIE.UnexpectedError / U000) and gives every bodiless 4xx/5xx (routing 404/405) an OBIE error body.
/// </summary>
internal static class PisConformanceMiddleware
{
    public static async Task InvokeAsync(HttpContext ctx, SandboxRuntime rt, Func<Task> next)
    {
        var given = ctx.Request.Headers[ObResponder.InteractionHeader].ToString();
        var interaction = Guid.TryParseExact(given, "D", out _) ? given : Guid.NewGuid().ToString();
        ctx.Response.Headers[ObResponder.InteractionHeader] = interaction;

        if (PisPaths.VersionOf(ctx.Request.Path.Value ?? "/") is not { } version)
        {
            await next().ConfigureAwait(false);
            return;
        }

        if (!AcceptsJson(ctx.Request.Headers.Accept))
        {
            await ObResponder.WriteProblemAsync(ctx, rt, version, new ObProblemException(406, new ObError(ObErrorCode.HeaderInvalid, "Accept must allow application/json", "Accept"))).ConfigureAwait(false);
            return;
        }

        try
        {
            await next().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The catch-all of the PIS API: whatever failed, the client gets an OBIE body and nothing was stored.
        catch (Exception e) when (e is not OperationCanceledException || !ctx.RequestAborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            rt.Log.LogError(e, "unhandled exception on {Method} {Path}", ctx.Request.Method, ctx.Request.Path.Value);
            if (ctx.Response.HasStarted)
            {
                ctx.Abort();
                return;
            }

            ctx.Response.Clear();
            ctx.Response.Headers[ObResponder.InteractionHeader] = interaction;
            await ObResponder.WriteProblemAsync(ctx, rt, version, new ObProblemException(500, new ObError(ObErrorCode.UnexpectedError, "the bank could not process the request"))).ConfigureAwait(false);
            return;
        }

        var status = ctx.Response.StatusCode;
        if (status >= 400 && !ctx.Response.HasStarted && !ctx.Items.ContainsKey(ObResponder.DropKey))
        {
            var error = status switch
            {
                404 or 405 => new ObError(ObErrorCode.ResourceNotFound, $"no {ctx.Request.Method} endpoint at this path", ctx.Request.Path.Value),
                >= 500 => new ObError(ObErrorCode.UnexpectedError, "the bank could not process the request"),
                _ => new ObError(ObErrorCode.FieldInvalid, "the request is not valid (" + status.ToString(CultureInfo.InvariantCulture) + ")"),
            };
            await ObResponder.WriteProblemAsync(ctx, rt, version, new ObProblemException(status, error)).ConfigureAwait(false);
        }
    }

    /// <summary>No Accept, or one that lists application/json, application/* or */* with q &gt; 0.</summary>
    private static bool AcceptsJson(Microsoft.Extensions.Primitives.StringValues accept)
    {
        if (accept.Count == 0 || accept.All(string.IsNullOrWhiteSpace))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var types))
        {
            return false;
        }

        return types.Any(t => (t.Quality ?? 1) > 0
            && (t.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase)
                || t.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase)
                || t.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)));
    }
}
