using System.Net;
using System.Text;
using System.Web;
using Microsoft.Extensions.Time.Testing;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Tests.Auth;

public sealed class DecoupledPollingTests : IDisposable
{
    private static readonly Uri BcEndpoint = new("https://bank.test/as/bc-authorize");
    private static readonly Uri TokenEndpoint = new("https://bank.test/as/token");
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedHandler _handler = new();
    private readonly SigningKey _key = SigningKey.Generate("client-kid");
    private readonly HttpClient _http;
    private readonly BankTokenProvider _tokens;

    public DecoupledPollingTests()
    {
        _http = new HttpClient(_handler);
        var options = new BankOptions
        {
            WellKnownEndpoint = new Uri("https://bank.test"),
            RedirectUri = new Uri("https://tpp.test/callback"),
            ClientId = "tpp-client",
        };
        _tokens = new BankTokenProvider("acme", options, _key, () => _http, _time);
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
        _key.Dispose();
    }

    [Fact]
    public async Task RequestBackchannel_ClientAuthenticatedWithAssertion_ReturnsPendingWithBankInterval()
    {
        _handler.Enqueue(200, """{"auth_req_id":"req-1","expires_in":120,"interval":2}""");
        var pending = await _tokens.RequestBackchannelAsync(BcEndpoint, "https://bank.test", "signed.request.object", CancellationToken.None);

        pending.AuthReqId.ShouldBe("req-1");
        pending.Interval.ShouldBe(TimeSpan.FromSeconds(2));
        pending.NextPollAt.ShouldBe(_time.GetUtcNow().AddSeconds(2));
        pending.ExpiresAt.ShouldBe(_time.GetUtcNow().AddSeconds(120));
        var form = _handler.Forms.Single();
        form["request"].ShouldBe("signed.request.object");
        form["client_assertion_type"].ShouldBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form["client_assertion"]!.Split('.').Length.ShouldBe(3);
        pending.ToString().ShouldNotContain("req-1");
    }

    [Fact]
    public async Task RequestBackchannel_NoInterval_DefaultsToFiveSeconds()
    {
        _handler.Enqueue(200, """{"auth_req_id":"req-1","expires_in":60}""");
        var pending = await _tokens.RequestBackchannelAsync(BcEndpoint, "https://bank.test", "r", CancellationToken.None);
        pending.Interval.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RequestBackchannel_ExpiresInAsAString_MalformedAnswerNotACrash()
    {
        _handler.Enqueue(200, """{"auth_req_id":"req-1","expires_in":"120"}""");
        var ex = await Should.ThrowAsync<BankResponseInvalidException>(
            () => _tokens.RequestBackchannelAsync(BcEndpoint, "https://bank.test", "r", CancellationToken.None));
        ex.Problem.ShouldBe(BankResponseProblem.Malformed);
    }

    [Theory]
    [InlineData(200, """{"auth_req_id":"req-?","expires_in":60}""")]
    [InlineData(400, """{"error":"access_?denied"}""")]
    public async Task RequestBackchannel_InvalidUtf8InsideAString_MalformedAnswerNotAnInvalidOperation(int status, string answer)
    {
        // The '?' becomes 0xC3 0x28 (a lead byte then '('): System.Text.Json parses it and throws
        // InvalidOperationException only when the string is read.
        var at = answer.IndexOf('?', StringComparison.Ordinal);
        _handler.Enqueue(status, [.. Encoding.UTF8.GetBytes(answer[..at]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(answer[(at + 1)..])]);

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(
            () => _tokens.RequestBackchannelAsync(BcEndpoint, "https://bank.test", "r", CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.Malformed);
        ex.Message.ShouldBe("Bank 'acme': Malformed: /as/bc-authorize did not answer UTF-8");
        ex.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task RequestBackchannel_IntervalAsAString_DefaultsToFiveSeconds()
    {
        _handler.Enqueue(200, """{"auth_req_id":"req-1","expires_in":60,"interval":"2"}""");
        var pending = await _tokens.RequestBackchannelAsync(BcEndpoint, "https://bank.test", "r", CancellationToken.None);
        pending.Interval.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task PollBackchannel_TokenLifetimeAsAString_DefaultLifetimeOfFiveMinutes()
    {
        var pending = await StartAsync(interval: 1, expiresIn: 30);
        _time.Advance(TimeSpan.FromSeconds(1));
        _handler.Enqueue(200, """{"access_token":"consent-token","token_type":"Bearer","expires_in":"3600"}""");

        var result = await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None);

        result.Outcome.ShouldBe(DecoupledPollOutcome.Authorised);
        result.Token!.ExpiresOn.ShouldBe(_time.GetUtcNow().AddSeconds(300));
    }

    [Fact]
    public async Task PollBackchannel_PendingThenToken_PollsOnlyAfterEachIntervalThenAuthorised()
    {
        var pending = await StartAsync(interval: 2, expiresIn: 120);

        var early = await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None);
        early.Outcome.ShouldBe(DecoupledPollOutcome.NotDue);
        _handler.Forms.Count.ShouldBe(1);

        _time.Advance(TimeSpan.FromSeconds(2));
        _handler.Enqueue(400, """{"error":"authorization_pending"}""");
        var first = await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None);
        first.Outcome.ShouldBe(DecoupledPollOutcome.Pending);
        first.Pending.NextPollAt.ShouldBe(_time.GetUtcNow().AddSeconds(2));
        _handler.Forms[1]["grant_type"].ShouldBe("urn:openid:params:grant-type:ciba");
        _handler.Forms[1]["auth_req_id"].ShouldBe("req-1");
        _handler.Forms[1]["client_assertion"].ShouldNotBeNull();

        _time.Advance(TimeSpan.FromSeconds(1));
        (await _tokens.PollBackchannelAsync(TokenEndpoint, first.Pending, CancellationToken.None)).Outcome.ShouldBe(DecoupledPollOutcome.NotDue);
        _handler.Forms.Count.ShouldBe(2);

        _time.Advance(TimeSpan.FromSeconds(1));
        _handler.Enqueue(200, """{"access_token":"consent-token","token_type":"Bearer","expires_in":300}""");
        var done = await _tokens.PollBackchannelAsync(TokenEndpoint, first.Pending, CancellationToken.None);
        done.Outcome.ShouldBe(DecoupledPollOutcome.Authorised);
        done.Token!.Value.ShouldBe("consent-token");
        done.Token.ExpiresOn.ShouldBe(_time.GetUtcNow().AddSeconds(300));
        _handler.Forms.Count.ShouldBe(3);
    }

    [Fact]
    public async Task PollBackchannel_SlowDown_IntervalGrowsByFiveSeconds()
    {
        var pending = await StartAsync(interval: 2, expiresIn: 120);
        _time.Advance(TimeSpan.FromSeconds(2));
        _handler.Enqueue(400, """{"error":"slow_down"}""");
        var slowed = await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None);

        slowed.Outcome.ShouldBe(DecoupledPollOutcome.Pending);
        slowed.Pending.Interval.ShouldBe(TimeSpan.FromSeconds(7));
        _time.Advance(TimeSpan.FromSeconds(6));
        (await _tokens.PollBackchannelAsync(TokenEndpoint, slowed.Pending, CancellationToken.None)).Outcome.ShouldBe(DecoupledPollOutcome.NotDue);
        _handler.Forms.Count.ShouldBe(2);

        _time.Advance(TimeSpan.FromSeconds(1));
        _handler.Enqueue(400, """{"error":"authorization_pending"}""");
        var next = await _tokens.PollBackchannelAsync(TokenEndpoint, slowed.Pending, CancellationToken.None);
        next.Outcome.ShouldBe(DecoupledPollOutcome.Pending);
        next.Pending.Interval.ShouldBe(TimeSpan.FromSeconds(7));
        _handler.Forms.Count.ShouldBe(3);
    }

    [Fact]
    public async Task PollBackchannel_AccessDenied_Denied()
    {
        var pending = await StartAsync(interval: 1, expiresIn: 60);
        _time.Advance(TimeSpan.FromSeconds(1));
        _handler.Enqueue(400, """{"error":"access_denied","error_description":"the customer declined"}""");
        var result = await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None);
        result.Outcome.ShouldBe(DecoupledPollOutcome.Denied);
        result.Token.ShouldBeNull();
    }

    [Fact]
    public async Task PollBackchannel_PastExpiresIn_ExpiredWithoutAsking()
    {
        var pending = await StartAsync(interval: 1, expiresIn: 30);
        _time.Advance(TimeSpan.FromSeconds(30));
        var result = await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None);
        result.Outcome.ShouldBe(DecoupledPollOutcome.Expired);
        _handler.Forms.Count.ShouldBe(1);
    }

    [Fact]
    public async Task PollBackchannel_BankSaysExpiredToken_Expired()
    {
        var pending = await StartAsync(interval: 1, expiresIn: 30);
        _time.Advance(TimeSpan.FromSeconds(1));
        _handler.Enqueue(400, """{"error":"expired_token"}""");
        (await _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None)).Outcome.ShouldBe(DecoupledPollOutcome.Expired);
    }

    [Fact]
    public async Task PollBackchannel_InvalidGrant_ThrowsNonTransientAuthorizationError()
    {
        var pending = await StartAsync(interval: 1, expiresIn: 30);
        _time.Advance(TimeSpan.FromSeconds(1));
        _handler.Enqueue(400, """{"error":"invalid_grant"}""");
        var ex = await Should.ThrowAsync<BankAuthorizationException>(() => _tokens.PollBackchannelAsync(TokenEndpoint, pending, CancellationToken.None));
        ex.Error.ShouldBe("invalid_grant");
        ex.IsTransient.ShouldBeFalse();
        ex.Message.ShouldNotContain("req-1");
    }

    private async Task<DecoupledAuthorization> StartAsync(int interval, int expiresIn)
    {
        _handler.Enqueue(200, $$"""{"auth_req_id":"req-1","expires_in":{{expiresIn}},"interval":{{interval}}}""");
        return await _tokens.RequestBackchannelAsync(BcEndpoint, "https://bank.test", "r", CancellationToken.None);
    }

    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Queue<(int Status, byte[] Body)> _answers = new();

        public List<System.Collections.Specialized.NameValueCollection> Forms { get; } = [];

        public void Enqueue(int status, string body) => _answers.Enqueue((status, Encoding.UTF8.GetBytes(body)));

        public void Enqueue(int status, byte[] body) => _answers.Enqueue((status, body));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Forms.Add(HttpUtility.ParseQueryString(await request.Content!.ReadAsStringAsync(cancellationToken)));
            var (status, body) = _answers.Dequeue();
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return new HttpResponseMessage((HttpStatusCode)status) { Content = content };
        }
    }
}
