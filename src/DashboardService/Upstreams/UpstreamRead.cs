using System.Text.Json.Nodes;

namespace Settlement.DashboardService.Upstreams;

/// <summary>One upstream answer: its JSON, or why there is none.</summary>
/// <param name="Json">The body; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">What went wrong; null on success.</param>
/// <param name="NotFound">The service answered 404: it does not run that part (a settlement service without flows).</param>
internal sealed record UpstreamRead(JsonNode? Json, string? Error, bool NotFound = false);
