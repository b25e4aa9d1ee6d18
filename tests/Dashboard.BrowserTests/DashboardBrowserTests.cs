using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using OpenQA.Selenium;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payer;
using Settlement.Channels.Transport;
using Settlement.Channels.Watchtower;
using Settlement.Dashboard.BrowserTests.Support;
using Settlement.DashboardService;
using Settlement.PayeeService.IntegrationTests.Support;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;
using Settlement.Service.Reconciliation;
using Settlement.Testing;
using Settlement.WatchtowerService;

namespace Settlement.Dashboard.BrowserTests;

/// <summary>
/// The dashboard in headless chromium against the real payee service, the real settlement service and Anvil: the page
/// loads without console errors and shows the ledger; the payment counter rises while the payer SDK streams; a channel
/// closed on chain changes state; an injected reconciliation break appears with its reason and no full account number.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardWorld world, ITestOutputHelper output)
{
    private static readonly BigInteger Deposit = 50_000_000;

    [Fact]
    public async Task Page_Loads_NoConsoleErrorsAndTheLedgerAsTheSettlementServiceHoldsIt()
    {
        var channel = await world.Chain.OpenChannelAsync(Deposit);
        await using var dashboard = await StartDashboardAsync();
        var page = new DashboardPage(world.Browser, dashboard.BaseUrl);
        var escrow = ChainAccounts.Escrow(world.Chain.ChainId, LedgerAssets.Tgbp, world.Chain.Contract.ToLowerHex(), channel.Id.ToString()).Id
            .ToString(CultureInfo.InvariantCulture);

        page.Open();

        // The escrow of the channel just opened, booked by the settlement service's indexer, with its balance.
        var cell = page.Until(d => d.FindElements(By.CssSelector($"#accounts tr[data-account-id='{escrow}'] td:nth-child(4)")).FirstOrDefault()?.Text)!;
        using var accounts = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri(world.Settlement.BaseUrl, "ledger/accounts")));
        var row = accounts.RootElement.EnumerateArray().Single(a => a.GetProperty("id").GetString() == escrow);
        var balance = BigInteger.Parse(row.GetProperty("creditsPosted").GetString()!, CultureInfo.InvariantCulture)
            - BigInteger.Parse(row.GetProperty("debitsPosted").GetString()!, CultureInfo.InvariantCulture);
        BigInteger.Abs(balance).ShouldBe(Deposit);
        DashboardPage.Number(cell).ShouldBe(balance);
        page.Until(d => d.FindElement(By.Id("journal")).Text.StartsWith("journal intact", StringComparison.Ordinal));
        page.Text("#sources [data-source='settlement']").ShouldContain("✓");
        page.Text("#sources [data-source='payee']").ShouldContain("✓");

        var entries = world.Browser.ConsoleEntries();
        foreach (var entry in entries)
        {
            output.WriteLine($"console {entry.Level}: {entry.Message}");
        }

        entries.Where(e => e.Level >= LogLevel.Warning).ShouldBeEmpty();
    }

    [Fact]
    public async Task PaymentCounter_PayerStreams_RisesWithoutReloadAndEndsAtThePayeesCount()
    {
        var opened = await world.Chain.OpenChannelAsync(Deposit);
        await world.Payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var dashboard = await StartDashboardAsync();
        var page = new DashboardPage(world.Browser, dashboard.BaseUrl);
        page.Open();
        var before = DashboardPage.Number(page.Text("#vouchers-accepted"));
        await using var side = new PayerSide(world.Chain);
        await using var client = side.NewClient();
        var channel = await client.AdoptAsync(opened.Parameters, world.Payee.StreamUrl);
        using var stop = new CancellationTokenSource();
        var paid = BigInteger.Zero;
        var streaming = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                (await channel.PayAsync(1_000)).ShouldBeOfType<PaymentDelivered>();
                paid += 1_000;
            }
        });

        // Seen three times rising while the payer is still paying: the page follows the stream, it is not a final read.
        var seen = before;
        for (var i = 0; i < 3; i++)
        {
            var previous = seen;
            seen = (BigInteger)page.Until(_ => DashboardPage.Number(page.Text("#vouchers-accepted")) is var n && n > previous ? (object)n : null)!;
            streaming.IsCompleted.ShouldBeFalse();
        }

        // The channel's own rate (the payee's per-channel counter): above zero while this payer streams.
        page.Until(_ => page.ChannelRow(opened.Id.ToString())?.FindElement(By.CssSelector("td.vouchers-per-second")).Text is { } text
            && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var rate) && rate > 0);
        streaming.IsCompleted.ShouldBeFalse();

        await stop.CancelAsync();
        await streaming;
        await channel.FlushAsync();
        var status = await world.Payee.StatusAsync(opened.Key);
        RunningPayee.Amount(status.Body, "paid").ShouldBe(paid);
        var accepted = await AcceptedAsync();
        page.Until(_ => DashboardPage.Number(page.Text("#vouchers-accepted")) == accepted);
        page.Until(_ => page.ChannelRow(opened.Id.ToString()) is { } row
            && DashboardPage.Number(row.FindElement(By.CssSelector("td.paid")).Text) == paid
            && DashboardPage.Number(row.FindElement(By.CssSelector("td.remaining")).Text) == Deposit - paid);
        page.Until(_ => page.ChannelRow(opened.Id.ToString())!.FindElement(By.CssSelector("td.state")).Text == "open");
        page.Driver.FindElements(By.CssSelector($"#receipts tr[data-payer='{opened.Parameters.Payer}']")).ShouldNotBeEmpty();
        page.Driver.FindElements(By.CssSelector("#chart polyline[data-series='vouchersPerSecond']")).ShouldNotBeEmpty();
        page.SameDocument.ShouldBeTrue();
        output.WriteLine($"{accepted - before} vouchers shown arriving; paid {paid}");
    }

    [Fact]
    public async Task ClosedChannel_UnilateralCloseOnChain_RowTurnsClosingWithTheChainsDeadline()
    {
        var opened = await world.Chain.OpenChannelAsync(Deposit);
        await world.Payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var dashboard = await StartDashboardAsync();
        var page = new DashboardPage(world.Browser, dashboard.BaseUrl);
        page.Open();
        var id = opened.Id.ToString();
        page.Until(_ => page.ChannelRow(id)?.GetAttribute("data-state") == "open");

        await world.Chain.World.Channels.StartCloseAsync(world.Chain.World.Payer, opened.Parameters);
        await world.Chain.Node.MineAsync();

        var chain = await world.Chain.World.Channels.GetStateAsync(opened.Id);
        chain.IsClosing.ShouldBeTrue();
        page.Until(_ => page.ChannelRow(id)?.GetAttribute("data-state") == "closing");
        var deadline = DateTimeOffset.FromUnixTimeSeconds((long)chain.CloseDeadline).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
        page.Until(_ => page.ChannelRow(id)!.FindElement(By.CssSelector("td.state")).Text).ShouldBe("closing until " + deadline);
        page.SameDocument.ShouldBeTrue();

        // The search narrows the table to the payer's or the channel's id.
        page.Driver.FindElement(By.Id("search")).SendKeys(id[2..14]);
        page.Until(d => d.FindElements(By.CssSelector("#channels tbody tr")).Count == 1);
        page.ChannelRow(id).ShouldNotBeNull();
    }

    [Fact]
    public async Task WatchtowerDispute_StaleCloseAnswered_RedeemShownAsTheWatchtowerReportsIt()
    {
        var opened = await world.Chain.OpenChannelAsync(Deposit);
        await world.Payee.WaitForStatusAsync(opened.Key, _ => true);
        var folder = Directory.CreateTempSubdirectory("dashboard-tower-");
        using var towerKey = EthereumDevNode.DevKey(TowerHarness.KeyIndex);
        await using var tower = await WatchtowerServiceHost.StartAsync(
            new WatchtowerServiceOptions
            {
                Port = 0,
                Database = Path.Combine(folder.FullName, "watchtower.db"),
                RpcUrl = world.Chain.Node.RpcUrl,
                Watchtower = new WatchtowerOptions
                {
                    ChainId = world.Chain.ChainId, Contract = world.Chain.Contract.ToString(), Confirmations = 1, PollInterval = TimeSpan.FromMilliseconds(100),
                },
            },
            towerKey);
        // Disposed in the finally before the folder goes; the `await using` disposes it again, a no-op.
        try
        {
            using var http = new HttpClient { BaseAddress = tower.BaseUrl };
            var newest = world.Chain.World.Channels.SignVoucher(world.Chain.World.PayerKey, opened.Id, 7_000_000);
            using var content = new ByteArrayContent(DelegationJson.Encode(world.Chain.ChainId, world.Chain.Contract, opened.Parameters, VoucherFrame.FromSignedVoucher(newest)));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            (await http.PostAsync(new Uri("delegations", UriKind.Relative), content)).StatusCode.ShouldBe(HttpStatusCode.OK);
            await using var dashboard = await StartDashboardAsync(o => o.WatchtowerUrl = tower.BaseUrl);
            var page = new DashboardPage(world.Browser, dashboard.BaseUrl);
            page.Open();
            var id = opened.Id.ToString();
            page.Until(d => d.FindElements(By.CssSelector($"#disputes tbody tr[data-channel-id='{id}']")).Count == 1);

            // The payer closes with the stale (empty) state; the watchtower answers with the delegated voucher.
            await world.Chain.World.Channels.StartCloseAsync(world.Chain.World.Payer, opened.Parameters);
            string? redeem = null;
            var deadline = DateTimeOffset.UtcNow + DashboardPage.Patience;
            while (redeem is null && DateTimeOffset.UtcNow < deadline)
            {
                // A block per round for the tower's confirmation; it polls every 100 ms.
                await world.Chain.Node.MineAsync();
                using var answer = JsonDocument.Parse(await http.GetStringAsync(new Uri("delegations/" + id, UriKind.Relative)));
                redeem = answer.RootElement.GetProperty("redeem") is { ValueKind: JsonValueKind.Object } r ? r.GetProperty("transactionHash").GetString() : null;
                await Task.Delay(50);
            }

            redeem.ShouldNotBeNull("the watchtower sent no redeem");
            var cell = page.Until(d => d.FindElements(By.CssSelector($"#disputes tbody tr[data-channel-id='{id}'] td:nth-child(4)")).FirstOrDefault()?.GetAttribute("title") is { Length: > 0 } t ? t : null);
            cell.ShouldBe(redeem);
            page.Until(d => d.FindElement(By.CssSelector($"#disputes tbody tr[data-channel-id='{id}'] td:nth-child(2)")).Text == "7,000,000");
            page.Text("#sources [data-source='watchtower']").ShouldContain("✓");
            page.SameDocument.ShouldBeTrue();
        }
        finally
        {
            await tower.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ReconciliationBreak_Injected_AppearsWithItsReasonAndTheAccountNumberMasked()
    {
        const string account = "60161331926819";
        var at = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
        var pairing = new ReconciliationPairing("bank-ledger", ReconciliationSource.Bank, ReconciliationSource.Ledger, new ReconciliationRules()) { Asset = "GBP" };
        var run = Reconciler.Run(
            pairing,
            [
                new ReconciliationRecord(ReconciliationSource.Bank, "pmt-matched", "flow-1", "GBP", 2_000, at, ReconciliationKind.Topup),
                new ReconciliationRecord(ReconciliationSource.Bank, "pmt-lost", "flow-2", "GBP", 1_250, at, ReconciliationKind.Topup, "UK.OBIE.SortCodeAccountNumber " + account),
            ],
            [new ReconciliationRecord(ReconciliationSource.Ledger, "0a1b", "flow-1", "GBP", 2_000, at, ReconciliationKind.Topup)]);
        var report = new ReconciliationRunResult(run);
        var expected = run.Breaks.ShouldHaveSingleItem();
        expected.Reason.ShouldBe(BreakReason.MissingInLedger);

        await using var dashboard = await StartDashboardAsync();
        var page = new DashboardPage(world.Browser, dashboard.BaseUrl);
        page.Open();
        page.Text("#break-count").ShouldNotContain("break"); // the real settlement service here runs no flows: nothing to reconcile
        world.SettlementUpstream.Report = BreakReport.ToJson(report);
        try
        {
            // Read in one go: the table is redrawn with every snapshot.
            var shown = page.Until(d => d.FindElements(By.CssSelector("#breaks tbody tr[data-reason='MissingInLedger']")).FirstOrDefault() is { } row
                ? new[] { row.FindElement(By.CssSelector("td.reason")).Text, row.FindElement(By.CssSelector("td.detail")).Text }
                : null)!;
            shown[0].ShouldBe("MissingInLedger");
            shown[1].ShouldBe(expected.Detail);
            page.Text("#break-count").ShouldBe("1 break");
            page.SameDocument.ShouldBeTrue();

            // Never a full account number: not on the page, not in what the page was sent.
            page.Driver.PageSource.ShouldNotContain(account);
            using var http = new HttpClient();
            var snapshot = await http.GetStringAsync(new Uri(dashboard.BaseUrl, "snapshot"));
            snapshot.ShouldNotContain(account);
            snapshot.ShouldContain("**********6819");
        }
        finally
        {
            world.SettlementUpstream.Report = null;
        }
    }

    [Fact]
    public async Task Screenshot_StreamingChannelClosedChannelAndABreak_SavedToDocs()
    {
        // The picture in docs/dashboard.png and the README: two paying channels (one then closing), the ledger and a break.
        var paying = await world.Chain.OpenChannelAsync(Deposit);
        var closing = await world.Chain.OpenChannelAsync(Deposit / 2);
        await world.Payee.WaitForStatusAsync(paying.Key, _ => true);
        await world.Payee.WaitForStatusAsync(closing.Key, _ => true);
        await using var dashboard = await StartDashboardAsync();
        var page = new DashboardPage(world.Browser, dashboard.BaseUrl);
        page.Open();
        await using var side = new PayerSide(world.Chain);
        await using var client = side.NewClient();
        var a = await client.AdoptAsync(paying.Parameters, world.Payee.StreamUrl);
        var b = await client.AdoptAsync(closing.Parameters, world.Payee.StreamUrl);
        for (var i = 0; i < 300; i++)
        {
            await a.PayAsync(2_500 + (i % 7 * 500));
            if (i % 3 == 0)
            {
                await b.PayAsync(1_000);
            }
        }

        await a.FlushAsync();
        await b.FlushAsync();
        await world.Chain.World.Channels.StartCloseAsync(world.Chain.World.Payer, closing.Parameters);
        await world.Chain.Node.MineAsync();
        var at = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
        var pairing = new ReconciliationPairing("bank-ledger", ReconciliationSource.Bank, ReconciliationSource.Ledger, new ReconciliationRules()) { Asset = "GBP" };
        world.SettlementUpstream.Report = BreakReport.ToJson(new ReconciliationRunResult(Reconciler.Run(
            pairing,
            [new ReconciliationRecord(ReconciliationSource.Bank, "pmt-7f3a", "flow-7f3a", "GBP", 1_250, at, ReconciliationKind.Topup)],
            [new ReconciliationRecord(ReconciliationSource.Ledger, "0c44", "flow-7f3a", "GBP", 1_200, at, ReconciliationKind.Topup)])));
        try
        {
            page.Until(_ => page.ChannelRow(closing.Id.ToString())?.GetAttribute("data-state") == "closing");
            page.Until(d => d.FindElements(By.CssSelector("#breaks tbody tr")).Count > 0);
            // docs/dashboard.png is refreshed by a run with L2PAY_UPDATE_SCREENSHOTS=1; other runs leave the tracked file alone.
            var path = Environment.GetEnvironmentVariable("L2PAY_UPDATE_SCREENSHOTS") == "1"
                ? Path.Combine(RepositoryPaths.Root, "docs", "dashboard.png")
                : Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png");
            page.Screenshot(path);
            new FileInfo(path).Length.ShouldBeGreaterThan(10_000);
            output.WriteLine("saved " + path);
        }
        finally
        {
            world.SettlementUpstream.Report = null;
        }
    }

    [Fact]
    public async Task Start_NonLoopbackAddressWithoutToken_RefusedBeforeListening()
    {
        foreach (var address in new[] { "0.0.0.0", "::", "192.0.2.10" })
        {
            var refused = await Should.ThrowAsync<ArgumentException>(() => DashboardServiceHost.StartAsync(new DashboardServiceOptions { BindAddress = address, Port = 0 }));
            refused.Message.ShouldContain("Dashboard:BearerToken");
            refused.Message.ShouldContain("not loopback");
        }
    }

    [Fact]
    public async Task Token_Configured_RequestsWithoutItAre401AndTheBrowserGetsInWithTheLink()
    {
        const string token = "dashboard-test-token-0123456789";
        await using var dashboard = await StartDashboardAsync(o => o.BearerToken = token);
        using var http = new HttpClient();
        foreach (var path in new[] { "", "snapshot", "events", "dashboard.js" })
        {
            using var anonymous = await http.GetAsync(new Uri(dashboard.BaseUrl, path));
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            (await anonymous.Content.ReadAsStringAsync()).ShouldNotContain("{");
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, new Uri(dashboard.BaseUrl, "snapshot")) { Headers = { { "Authorization", "Bearer " + token + "x" } } };
        (await http.SendAsync(wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var right = new HttpRequestMessage(HttpMethod.Get, new Uri(dashboard.BaseUrl, "snapshot")) { Headers = { { "Authorization", "Bearer " + token } } };
        (await http.SendAsync(right)).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The link with ?token= sets the cookie and drops the token from the address bar; the event stream then works.
        var page = new DashboardPage(world.Browser, new Uri(dashboard.BaseUrl, "?token=" + token));
        page.Open();
        page.Driver.Url.ShouldNotContain(token);
        page.Driver.PageSource.ShouldNotContain(token);
    }

    private async Task<long> AcceptedAsync()
    {
        using var http = new HttpClient();
        using var metrics = JsonDocument.Parse(await http.GetStringAsync(new Uri(world.Payee.Host.BaseUrl, "metrics")));
        return metrics.RootElement.GetProperty("vouchers").GetProperty("accepted").GetInt64();
    }

    private Task<DashboardServiceHost> StartDashboardAsync(Action<DashboardServiceOptions>? configure = null)
    {
        var options = new DashboardServiceOptions
        {
            Port = 0,
            PayeeUrl = world.Payee.Host.BaseUrl,
            SettlementUrl = world.SettlementUpstream.BaseUrl,
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return DashboardServiceHost.StartAsync(options);
    }
}
