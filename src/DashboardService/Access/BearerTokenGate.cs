using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Settlement.DashboardService.Access;

/// <summary>
/// With a configured token, every request must carry it: <c>Authorization: Bearer …</c>, or the HttpOnly cookie that
/// <c>GET /?token=…</c> sets (a browser's EventSource cannot send headers). A missing or wrong token is 401 and reveals
/// nothing. Comparison is constant-time. Without a token (loopback only, enforced at start) every request passes.
/// </summary>
internal sealed class BearerTokenGate(string? token)
{
    /// <summary>The cookie that carries the token after a <c>?token=</c> visit.</summary>
    public const string CookieName = "l2pay_dashboard";

    private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_token is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        if (request.Query.TryGetValue("token", out var query) && Matches(query.ToString()))
        {
            // Exchange the link's token for a cookie and drop it from the address bar (and from later logs).
            context.Response.Cookies.Append(CookieName, query.ToString(), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = request.IsHttps, Path = "/" });
            context.Response.Redirect(request.PathBase + request.Path);
            return;
        }

        var header = request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : request.Cookies[CookieName];
        if (presented is not null && Matches(presented))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("A bearer token is required.", context.RequestAborted).ConfigureAwait(false);
    }

    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
}
