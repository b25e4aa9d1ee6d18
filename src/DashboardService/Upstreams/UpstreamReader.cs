using System.Text.Json;
using System.Text.Json.Nodes;

namespace Settlement.DashboardService.Upstreams;

/// <summary>
/// GETs JSON from an upstream service's query endpoints. A fault is an outcome (the error text), never an exception:
/// one service being down must not blank the others on the page.
/// </summary>
internal sealed class UpstreamReader(HttpClient http)
{
    /// <summary>The body of <c>GET {service}{path}</c> as JSON, or the reason it could not be read.</summary>
    public async Task<UpstreamRead> GetAsync(Uri service, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(service, path), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new UpstreamRead(null, $"GET {path}: HTTP {(int)response.StatusCode}", response.StatusCode == System.Net.HttpStatusCode.NotFound);
            }

            return new UpstreamRead(JsonNode.Parse(text), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new UpstreamRead(null, $"GET {path}: timed out");
        }
        catch (HttpRequestException ex)
        {
            return new UpstreamRead(null, $"GET {path}: {ex.Message}");
        }
        catch (JsonException)
        {
            return new UpstreamRead(null, $"GET {path}: the answer is not JSON");
        }
    }
}
