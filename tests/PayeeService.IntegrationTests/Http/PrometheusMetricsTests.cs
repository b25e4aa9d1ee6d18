using System.Text.RegularExpressions;
using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Http;

/// <summary>The payee's meters in the Prometheus text format, for a scraper.</summary>
[Collection(PayeeCollection.Name)]
public sealed partial class PrometheusMetricsTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Scrape_AfterThreeAcceptedAndOneRefused_CountersSayExactlyThat()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        for (var amount = 1; amount <= 3; amount++)
        {
            (await PostAsync(payee, channel.Voucher(amount))).Status.ShouldBe(System.Net.HttpStatusCode.OK);
        }

        (await PostAsync(payee, channel.Voucher(2_000_000))).Frame.ShouldBeOfType<AckFrame>().Outcome.ShouldBe(AckOutcome.Rejected);

        using var response = await payee.Http.GetAsync("metrics/prometheus");
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine(text);

        Counter(text, AcceptedLine()).ShouldBe(3);
        Counter(text, RejectedLine()).ShouldBe(1);
    }

    private Task<(System.Net.HttpStatusCode Status, PayeeFrame? Frame, string ContentType)> PostAsync(RunningPayee payee, VoucherFrame voucher) =>
        payee.PostVoucherAsync(PayeeFrameCodec.Encode(voucher), json: false, fixture.ChainId, fixture.Contract.ToString());

    private static long Counter(string text, Regex line)
    {
        var match = line.Match(text);
        match.Success.ShouldBeTrue($"no line matching {line}");
        return long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^payee_vouchers_accepted(?:_total)?(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex AcceptedLine();

    [GeneratedRegex(@"^payee_vouchers_rejected(?:_total)?\{[^}]*code=""ExceedsDeposit""[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex RejectedLine();
}
