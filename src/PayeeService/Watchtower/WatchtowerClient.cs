using System.Net;
using System.Net.Http.Headers;

namespace Settlement.PayeeService.Watchtower;

/// <summary>The typed HTTP client of the watchtower's <c>POST /delegations</c>.</summary>
public sealed class WatchtowerClient(HttpClient http)
{
    /// <summary>Posts one delegation body; returns the HTTP status (the caller decides what is final).</summary>
    /// <exception cref="HttpRequestException">The watchtower could not be reached.</exception>
    public async Task<HttpStatusCode> PostDelegationAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri("delegations", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        return response.StatusCode;
    }
}
