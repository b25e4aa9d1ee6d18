using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Settlement.Channels.Payer.Closing;

namespace Settlement.Channels.Tests.Payer.Closing;

/// <summary>A payee that answers every request with one status and JSON body (bytes as given), recording the requests.</summary>
internal sealed class ScriptedClosePayee(HttpStatusCode status, byte[] answer) : HttpMessageHandler
{
    public ScriptedClosePayee(HttpStatusCode status, string answer)
        : this(status, Encoding.UTF8.GetBytes(answer))
    {
    }

    /// <summary>"METHOD /path" of each request, in order.</summary>
    public List<string> Requests { get; } = [];

    public PayeeCloseAgreementClient Client() => new(new HttpClient(this, disposeHandler: false) { BaseAddress = new Uri("http://payee.test/") });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
        var content = new ByteArrayContent(answer);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Task.FromResult(new HttpResponseMessage(status) { Content = content });
    }
}
