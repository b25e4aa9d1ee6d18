using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>A started <see cref="PayeeServiceHost"/>, an HTTP client for it, and its temporary folder.</summary>
internal sealed class RunningPayee : IAsyncDisposable
{
    private readonly string _folder;
    private bool _stopped;

    public RunningPayee(PayeeServiceHost host, PayeeServiceOptions options, string folder)
    {
        Host = host;
        Options = options;
        _folder = folder;
        Http = new HttpClient { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public PayeeServiceHost Host { get; }

    public PayeeServiceOptions Options { get; }

    public HttpClient Http { get; }

    public Uri StreamUrl => Host.StreamUrl;

    /// <summary>A second store on the same SQLite file (what a restarted service would read).</summary>
    public SqliteVoucherStore OpenStore() => new(new SqliteVoucherStoreOptions { Path = Options.Database });

    /// <summary>The newest stored voucher of <paramref name="key"/>, read through a fresh store on the file.</summary>
    public async Task<StoredVoucher?> NewestAsync(ChannelKey key) => await OpenStore().GetNewestAsync(key);

    /// <summary>GET /v1/channels/{chainId}/{contract}/{channelId}: status code and body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> StatusAsync(ChannelKey key)
    {
        using var response = await Http.GetAsync(new Uri($"v1/channels/{key.ChainId}/{key.Contract}/{key.ChannelId}", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>The status body as text (for "unchanged" comparisons).</summary>
    public async Task<string> StatusTextAsync(ChannelKey key) => (await StatusAsync(key)).Body.GetRawText();

    /// <summary>True if GET /health answers 200 with status ok.</summary>
    public async Task<JsonElement> HealthAsync()
    {
        using var response = await Http.GetAsync(new Uri("health", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        doc.RootElement.GetProperty("status").GetString().ShouldBe("ok");
        return doc.RootElement.Clone();
    }

    /// <summary>The number of open streams /health reports.</summary>
    public async Task<int> OpenStreamsAsync() => (await HealthAsync()).GetProperty("streams").GetInt32();

    /// <summary>Waits until the chain follower applied a view of <paramref name="key"/> that <paramref name="done"/> accepts.</summary>
    public async Task<JsonElement> WaitForStatusAsync(ChannelKey key, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var (status, body) = await StatusAsync(key);
            if (status == HttpStatusCode.OK && done(body))
            {
                return body;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Channel {key} did not reach the expected state; last status {status}: {body.GetRawText()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>POST /v1/vouchers/{chainId}/{contract} with a binary (or JSON) body: status and decoded answer.</summary>
    public async Task<(HttpStatusCode Status, PayeeFrame? Frame, string ContentType)> PostVoucherAsync(
        byte[] body, bool json, ulong chainId, string contract)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(json ? "application/json" : "application/octet-stream");
        using var response = await Http.PostAsync(new Uri($"v1/vouchers/{chainId}/{contract}", UriKind.Relative), content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        PayeeFrame? frame = null;
        if (type == "application/json" && json)
        {
            PayeeJsonCodec.TryDecode(bytes, out frame, out _);
        }
        else if (type == "application/octet-stream")
        {
            PayeeFrameCodec.TryDecode(bytes, out frame, out _);
        }

        return (response.StatusCode, frame, type);
    }

    /// <summary>Stops the service (idempotent).</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Host.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Amount helper: a status body's decimal string as an integer.</summary>
    public static BigInteger Amount(JsonElement body, string name) => BigInteger.Parse(body.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The newest stored cumulative amount in a status body (0 if none).</summary>
    public static BigInteger NewestInStatus(JsonElement body) =>
        body.GetProperty("newestVoucher").ValueKind == JsonValueKind.Null
            ? BigInteger.Zero
            : Amount(body.GetProperty("newestVoucher"), "cumulativeAmount");

    /// <summary>The ChannelId of a key (helper for readability).</summary>
    public static ChannelId Id(ChannelKey key) => key.ChannelId;
}
