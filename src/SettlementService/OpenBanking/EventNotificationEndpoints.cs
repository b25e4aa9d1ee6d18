using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Settlement.OpenBanking.Notifications;

namespace Settlement.SettlementService.OpenBanking;

/// <summary>
/// Maps the webhook that banks POST signed event notifications to (moved here from the OpenBanking library, which
/// keeps the <see cref="EventNotificationReceiver"/>: hosts map endpoints, libraries do not).
/// </summary>
public static class EventNotificationEndpoints
{
    /// <summary>The largest notification body read (a SET is a few kilobytes).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Maps <c>POST {prefix}/{bank}/event-notifications</c> (body: the SET, <c>application/jwt</c>).
    /// 202 when processed or a duplicate, 400 when the signature or claims are wrong, 413 when the body is larger than
    /// <see cref="MaxBodyBytes"/>, 503 when the bank should deliver again. Needs <c>AddOpenBanking</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapOpenBankingEventNotifications(this IEndpointRouteBuilder endpoints, string prefix = "/open-banking")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        return endpoints.MapPost(prefix.TrimEnd('/') + "/{bank}/event-notifications", async (HttpContext context, string bank) =>
        {
            var receiver = context.RequestServices.GetRequiredService<EventNotificationReceiver>();
            if (context.Request.ContentLength is > MaxBodyBytes)
            {
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }

            // A chunked body has no length up front: read at most one byte past the limit.
            var body = await ReadBoundedAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }

            var outcome = await receiver.ReceiveAsync(bank, body, context.RequestAborted).ConfigureAwait(false);
            return outcome switch
            {
                NotificationOutcome.Processed or NotificationOutcome.Duplicate => Results.Accepted(),
                NotificationOutcome.Rejected => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "event notification refused"),
                _ => Results.StatusCode(StatusCodes.Status503ServiceUnavailable),
            };
        });
    }

    /// <summary>The body as ASCII, or null when it is longer than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<string?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return length > MaxBodyBytes ? null : Encoding.ASCII.GetString(buffer, 0, length);
    }
}
