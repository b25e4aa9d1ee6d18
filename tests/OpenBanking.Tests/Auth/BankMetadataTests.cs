using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Errors;

namespace Settlement.OpenBanking.Tests.Auth;

/// <summary>
/// <see cref="BankMetadata"/> reads the bank's discovery document and JWKS, both untrusted: an answer with bytes that
/// are not UTF-8 inside a JSON string is a malformed answer (<see cref="BankResponseInvalidException"/>), never the
/// InvalidOperationException System.Text.Json throws when such a string is read.
/// </summary>
public sealed class BankMetadataTests
{
    private const string Discovery = """
        {"issuer":"https://bank.test","authorization_endpoint":"https://bank.test/as/authorize","token_endpoint":"https://bank.test/as/token","jwks_uri":"https://bank.test/jwks"}
        """;

    [Fact]
    public async Task GetDiscovery_InvalidUtf8InsideAString_MalformedNotAnInvalidOperation()
    {
        var at = Discovery.IndexOf("/as/token", StringComparison.Ordinal);
        byte[] answer = [.. Encoding.UTF8.GetBytes(Discovery[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(Discovery[at..])];
        using var handler = new OneAnswer(answer);
        using var http = new HttpClient(handler);
        using var metadata = new BankMetadata("acme", new Uri("https://bank.test"), () => http, TimeProvider.System, NullLogger.Instance);

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => metadata.GetDiscoveryAsync(CancellationToken.None).AsTask());

        ex.Problem.ShouldBe(BankResponseProblem.Malformed);
        ex.Message.ShouldBe("Bank 'acme': Malformed: /.well-known/openid-configuration is not UTF-8");
        handler.Asked.ShouldBe(["https://bank.test/.well-known/openid-configuration"]);
    }

    [Fact]
    public async Task GetDiscovery_SameAnswerInUtf8_Read()
    {
        using var handler = new OneAnswer(Encoding.UTF8.GetBytes(Discovery));
        using var http = new HttpClient(handler);
        using var metadata = new BankMetadata("acme", new Uri("https://bank.test"), () => http, TimeProvider.System, NullLogger.Instance);

        var discovery = await metadata.GetDiscoveryAsync(CancellationToken.None);

        discovery.TokenEndpoint.ShouldBe(new Uri("https://bank.test/as/token"));
    }

    private sealed class OneAnswer(byte[] body) : HttpMessageHandler
    {
        public List<string> Asked { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Asked.Add(request.RequestUri!.AbsoluteUri);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
