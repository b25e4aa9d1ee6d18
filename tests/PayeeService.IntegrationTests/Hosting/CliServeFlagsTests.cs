using System.Net;
using System.Net.Http.Headers;
using Settlement.Channels.Transport;
using Settlement.Testing;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Hosting;

/// <summary>The real <c>l2pay serve payee</c> process applies the velocity rules given as flags.</summary>
[Collection(PayeeCollection.Name)]
public sealed class CliServeFlagsTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task ServePayee_ChannelRateRefuseFlag_VouchersBeyondItAre429_AndAFlagIsListed()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        var folder = Directory.CreateTempSubdirectory("payee-flags-");
        try
        {
            var keyFile = Path.Combine(folder.FullName, "payee.key");
            await File.WriteAllTextAsync(keyFile, DevAccounts.PrivateKeys[2] + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            using var payee = await CliPayeeProcess.StartAsync(
                Path.Combine(folder.FullName, "payee.db"), fixture.Node.RpcUrl, fixture.Contract, keyFile, confirmations: 1,
                "--channel-payments-per-second-flag", "1", "--channel-payments-per-second-refuse", "2");
            using var http = new HttpClient { BaseAddress = payee.BaseUrl };

            var statuses = new List<HttpStatusCode>();
            for (var amount = 1; amount <= 20; amount++)
            {
                using var content = new ByteArrayContent(PayeeFrameCodec.Encode(channel.Voucher(amount)));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var response = await http.PostAsync($"v1/vouchers/{fixture.ChainId}/{fixture.Contract}", content);
                statuses.Add(response.StatusCode);
            }

            output.WriteLine(string.Join(",", statuses.Select(s => (int)s)));
            statuses[0].ShouldBe(HttpStatusCode.OK);
            statuses.ShouldContain(HttpStatusCode.TooManyRequests);
            statuses.ShouldAllBe(s => s == HttpStatusCode.OK || s == HttpStatusCode.TooManyRequests);
            var flags = await http.GetStringAsync("v1/flags");
            output.WriteLine(flags);
            flags.ShouldContain(channel.Id.ToString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}
