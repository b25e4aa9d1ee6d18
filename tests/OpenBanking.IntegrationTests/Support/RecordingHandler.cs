using System.Collections.Concurrent;

namespace Settlement.OpenBanking.IntegrationTests.Support;

/// <summary>Records every exchange of the connector's bank HttpClient (for the contract tests).</summary>
public sealed class RecordingHandler(ConcurrentQueue<Exchange> exchanges) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var requestBody = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var responseBody = await response.Content.ReadAsStringAsync(cancellationToken);
        exchanges.Enqueue(new Exchange(request.Method.Method, request.RequestUri!, requestBody, (int)response.StatusCode, responseBody));
        return response;
    }
}

public sealed record Exchange(string Method, Uri Uri, string? RequestBody, int Status, string ResponseBody);

/// <summary>Answers a request itself when <paramref name="answer"/> returns a response; otherwise passes it on.</summary>
public sealed class GatewayHandler(Func<HttpRequestMessage, HttpResponseMessage?> answer) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        answer(request) is { } response ? Task.FromResult(response) : base.SendAsync(request, cancellationToken);
}
