using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Settlement.OpenBanking.Notifications;
using Settlement.OpenBanking.Signing;
using Settlement.SettlementService;
using Settlement.SettlementService.OpenBanking;

namespace Settlement.Service.IntegrationTests.SettlementHost;

/// <summary>
/// The host with an open-banking configuration (one bank on a loopback address nothing answers; no test here reaches
/// it): the webhook refuses garbage (400) and oversize bodies (413, with or without a Content-Length) before any bank
/// is asked, and the transfer resume worker runs in the host.
/// </summary>
public sealed class EventNotificationEndpointTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-settlement-bank-");
    private readonly HttpClient _http = new();
    private readonly List<NotificationOutcome> _outcomes = [];
    private SettlementServiceHost? _host;

    private SettlementServiceHost Host => _host ?? throw new InvalidOperationException("Not started.");

    private Uri Webhook(string bank) => new(Host.BaseUrl, $"open-banking/{bank}/event-notifications");

    public async Task InitializeAsync()
    {
        var keyPath = Path.Combine(_directory.FullName, "client.pem");
        using (var key = SigningKey.Generate("client-key"))
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8Pem());
        }

        var config = Path.Combine(_directory.FullName, "bank.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            OpenBanking = new
            {
                DatabasePath = Path.Combine(_directory.FullName, "transfers.db"),
                Banks = new
                {
                    acme = new
                    {
                        BaseUrl = "https://127.0.0.1:9/",
                        WellKnownEndpoint = "https://127.0.0.1:9/",
                        ClientId = "client",
                        SigningKeyPath = keyPath,
                        SigningKeyId = "client-key",
                        RedirectUri = "https://127.0.0.1:9/callback",
                        SpecVersion = "V3_1_11",
                        PlatformAccount = new { Identification = "04000412345678", Name = "Platform" },
                    },
                },
            },
        }));
        _host = await SettlementServiceHost.StartAsync(new SettlementServiceOptions
        {
            Port = 0,
            Database = Path.Combine(_directory.FullName, "ledger.db"),
            IndexerEnabled = false,
            OpenBankingConfigPath = config,
            TransferResumeInterval = TimeSpan.FromMinutes(5),
        });
        Host.Services.GetRequiredService<EventNotificationReceiver>().Received += (_, outcome) =>
        {
            lock (_outcomes)
            {
                _outcomes.Add(outcome);
            }
        };
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _http.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Theory]
    [InlineData("acme", "not-a-jws")]
    [InlineData("acme", "")]
    [InlineData("acme", "a.b.c")]
    [InlineData("unknown-bank", "eyJhbGciOiJQUzI1NiJ9.e30.c2ln")]
    public async Task Post_Garbage_400ProblemAndRejected(string bank, string body)
    {
        using var content = new StringContent(body, Encoding.ASCII, "application/jwt");

        using var response = await _http.PostAsync(Webhook(bank), content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        lock (_outcomes)
        {
            _outcomes.ShouldBe([NotificationOutcome.Rejected]);
        }
    }

    [Fact]
    public async Task Post_OversizeWithContentLength_413NotReceived()
    {
        using var content = new ByteArrayContent(new byte[EventNotificationEndpoints.MaxBodyBytes + 1]);

        using var response = await _http.PostAsync(Webhook("acme"), content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        lock (_outcomes)
        {
            _outcomes.ShouldBeEmpty("the receiver never saw it");
        }
    }

    [Fact]
    public async Task Post_OversizeChunked_413NotReceived()
    {
        using var content = new StreamContent(new UnknownLengthStream(EventNotificationEndpoints.MaxBodyBytes + 10));

        using var response = await _http.PostAsync(Webhook("acme"), content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        lock (_outcomes)
        {
            _outcomes.ShouldBeEmpty("the receiver never saw it");
        }
    }

    [Fact]
    public async Task Start_WithBankConfig_ResumeWorkerRunsInTheHost_HealthSaysOpenBankingOn()
    {
        Host.Services.GetServices<IHostedService>().OfType<TransferResumeWorker>().ShouldHaveSingleItem();
        using var health = JsonDocument.Parse(await _http.GetStringAsync(new Uri(Host.BaseUrl, "health")));
        health.RootElement.GetProperty("openBanking").GetProperty("enabled").GetBoolean().ShouldBeTrue();
        health.RootElement.GetProperty("indexer").GetProperty("enabled").GetBoolean().ShouldBeFalse();
        health.RootElement.GetProperty("status").GetString().ShouldBe("healthy");
    }

    /// <summary>A body of <paramref name="length"/> bytes whose length is not known up front (sent chunked).</summary>
    private sealed class UnknownLengthStream(int length) : Stream
    {
        private int _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, _left);
            Array.Fill(buffer, (byte)'a', offset, n);
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
