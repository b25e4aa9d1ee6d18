using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Settlement.OpenBanking.Notifications;

/// <summary>Maps the webhook that banks POST signed event notifications to.</summary>
public static class EventNotificationEndpoints
{
    /// <summary>
    /// Maps <c>POST {prefix}/{bank}/event-notifications</c> (body: the SET, <c>application/jwt</c>).
    /// 202 when processed or a duplicate, 400 when the signature or claims are wrong, 503 when the
    /// bank should deliver again.
    /// </summary>
    public static IEndpointConventionBuilder MapOpenBankingEventNotifications(this IEndpointRouteBuilder endpoints, string prefix = "/open-banking")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost(prefix.TrimEnd('/') + "/{bank}/event-notifications", async (HttpContext context, string bank) =>
        {
            var receiver = context.RequestServices.GetRequiredService<EventNotificationReceiver>();
            if (context.Request.ContentLength is > 64 * 1024)
            {
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            }

            using var reader = new StreamReader(context.Request.Body, Encoding.ASCII);
            var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            var outcome = await receiver.ReceiveAsync(bank, body, context.RequestAborted).ConfigureAwait(false);
            return outcome switch
            {
                NotificationOutcome.Processed or NotificationOutcome.Duplicate => Results.Accepted(),
                NotificationOutcome.Rejected => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "event notification refused"),
                _ => Results.StatusCode(StatusCodes.Status503ServiceUnavailable),
            };
        });
    }
}
