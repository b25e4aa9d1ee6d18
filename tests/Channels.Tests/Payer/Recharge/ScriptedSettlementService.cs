using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Settlement.Channels.Tests.Payer.Recharge;

/// <summary>A settlement service that answers every request with one status and JSON body (bytes as given), recording the requests.</summary>
internal sealed class ScriptedSettlementService(HttpStatusCode status, byte[] answer) : HttpMessageHandler
{
    public ScriptedSettlementService(HttpStatusCode status, string answer)
        : this(status, Encoding.UTF8.GetBytes(answer))
    {
    }

    /// <summary>Each request's path, body and content type, in order.</summary>
    public List<(string Path, string Body, string? ContentType)> Requests { get; } = [];

    /// <summary>The content type of each request, in order.</summary>
    public List<string?> ContentTypes => [.. Requests.Select(r => r.ContentType)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request.RequestUri!.AbsolutePath, body, request.Content?.Headers.ContentType?.ToString()));
        var content = new ByteArrayContent(answer);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpResponseMessage(status) { Content = content };
    }
}
