using System.Net;
using Settlement.DashboardService;

namespace Settlement.Dashboard.BrowserTests;

/// <summary>The dashboard host's lifetime, without a browser.</summary>
public sealed class DashboardHostTests
{
    [Fact]
    public async Task Dispose_TwiceAndAfterStop_LaterCallsAreNoOps_ServerStopped()
    {
        using var http = new HttpClient();
        var host = await DashboardServiceHost.StartAsync(new DashboardServiceOptions
        {
            Port = 0,
            PayeeUrl = new Uri("http://127.0.0.1:1/"),
            PollInterval = TimeSpan.FromMinutes(10),
        });
        (await http.GetAsync(host.BaseUrl)).StatusCode.ShouldBe(HttpStatusCode.OK);

        await host.StopAsync();
        await host.DisposeAsync();
        await host.DisposeAsync(); // a lifetime hook and an `await using` may both dispose it

        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync(host.BaseUrl));
    }
}
