using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Settlement.BankSandbox.Hosting;
using Settlement.BankSandbox.Security;

namespace Settlement.BankSandbox.Errors;

/// <summary>
/// Writes every sandbox response: signs JSON bodies (x-jws-signature, bank key), echoes x-fapi-interaction-id,
/// maps PIS errors to OBErrorResponse1 (the one place), and honours the DropResponseAfterCommit fault.
/// </summary>
internal static class ObResponder
{
    public const string InteractionHeader = "x-fapi-interaction-id";
    public const string DropKey = "sandbox.drop-response";

    public static Task WriteJsonAsync(HttpContext ctx, SandboxRuntime rt, int status, JsonNode body, string contentType = "application/json; charset=utf-8", bool sign = true) =>
        WriteBytesAsync(ctx, rt, status, Encoding.UTF8.GetBytes(body.ToJsonString(SandboxJson.Options)), contentType, sign);

    public static async Task WriteBytesAsync(HttpContext ctx, SandboxRuntime rt, int status, byte[] body, string contentType, bool sign)
    {
        if (ctx.Items.ContainsKey(DropKey))
        {
            // The work is committed; the client must see a transport error, not an answer.
            ctx.Abort();
            return;
        }

        ctx.Response.StatusCode = status;
        if (sign && body.Length > 0)
        {
            ctx.Response.Headers["x-jws-signature"] = CompactJws.SignDetached(body, rt.SigningKey, rt.Options.BankOrganisationId, rt.Time.GetUtcNow().ToUnixTimeSeconds());
        }

        if (body.Length > 0)
        {
            ctx.Response.ContentType = contentType;
            ctx.Response.ContentLength = body.Length;
            await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    public static Task WriteEmptyAsync(HttpContext ctx, int status)
    {
        if (ctx.Items.ContainsKey(DropKey))
        {
            ctx.Abort();
            return Task.CompletedTask;
        }

        ctx.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>OBErrorResponse1 in the shape of the version (v3 adds the then-required Code and Message).</summary>
    public static JsonObject ErrorBody(PisVersion version, int status, IReadOnlyList<ObError> errors)
    {
        var items = new JsonArray();
        foreach (var e in errors)
        {
            var item = new JsonObject
            {
                ["ErrorCode"] = ObErrorCodes.For(e.Code, version),
                ["Message"] = Clip(e.Message, 500),
            };
            if (!string.IsNullOrEmpty(e.Path))
            {
                item["Path"] = Clip(e.Path, 500);
            }

            items.Add(item);
        }

        var body = new JsonObject { ["Id"] = Guid.NewGuid().ToString("N") };
        if (version == PisVersion.V3)
        {
            body["Code"] = status.ToString(CultureInfo.InvariantCulture) + " " + ReasonPhrase(status);
            body["Message"] = status >= 500 ? "The bank could not process the request" : "The request is not valid";
        }

        body["Errors"] = items;
        return body;
    }

    /// <summary>Every PIS error carries OBErrorResponse1 (signed, like any JSON body), 401/403/4xx/5xx alike.</summary>
    public static Task WriteProblemAsync(HttpContext ctx, SandboxRuntime rt, PisVersion version, ObProblemException problem)
    {
        IReadOnlyList<ObError> errors = problem.Errors.Count > 0
            ? problem.Errors
            : [new ObError(problem.Status >= 500 ? ObErrorCode.UnexpectedError : ObErrorCode.FieldInvalid, problem.Status >= 500 ? "the bank could not process the request" : "the request is not valid")];
        return WriteJsonAsync(ctx, rt, problem.Status, ErrorBody(version, problem.Status, errors));
    }

    /// <summary>application/problem+json for the admin and OAuth-page endpoints.</summary>
    public static Task WriteProblemJsonAsync(HttpContext ctx, SandboxRuntime rt, int status, string title, string detail) =>
        WriteJsonAsync(ctx, rt, status, new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail }, "application/problem+json", sign: false);

    private static string ReasonPhrase(int status) => status switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        429 => "TooManyRequests",
        >= 500 => "InternalServerError",
        _ => "ClientError",
    };

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];
}
