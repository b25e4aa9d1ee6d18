using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Payer;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Payer;

/// <summary>
/// The payer SDK against the real payee service and Anvil: concurrent payers, the payee going away and coming back,
/// the payer restarting. After each, the payee's stored amount equals the payer's newest acknowledged voucher.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PayerStreamingTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PayAsync_ConcurrentCallers_AllDeliveredAndPayeeHoldsExactSum()
    {
        var opened = await fixture.OpenChannelAsync(100_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        await payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.AdoptAsync(opened.Parameters, payee.StreamUrl);
        var increments = Enumerable.Range(0, 400).Select(i => new BigInteger(1 + (i * 7919 % 97))).ToArray();

        var outcomes = await Task.WhenAll(increments.Select(i => Task.Run(() => channel.PayAsync(i))));
        await channel.FlushAsync().WaitAsync(Patience);

        var total = increments.Aggregate(BigInteger.Zero, (s, i) => s + i);
        outcomes.Where(o => o is not PaymentDelivered and not PaymentQueued).ShouldBeEmpty();
        outcomes.OfType<PaymentDelivered>().Count().ShouldBeGreaterThan(0);
        outcomes.Select(Amount).Distinct().Count().ShouldBe(increments.Length);
        await AssertAgreeAsync(payee, channel, total);
    }

    [Fact]
    public async Task PayAsync_PayeeFlapsOfflineAndOnline_QueuedVouchersDeliveredNewestOnly()
    {
        var opened = await fixture.OpenChannelAsync(100_000_000);
        var folder = Directory.CreateTempSubdirectory("payee-flap-");
        var database = Path.Combine(folder.FullName, "payee.db");
        var payee = await fixture.StartPayeeAsync(output, database: database);
        var port = payee.Host.BaseUrl.Port;
        await payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.AdoptAsync(opened.Parameters, payee.StreamUrl);
        var total = BigInteger.Zero;
        try
        {
            for (var round = 0; round < 4; round++)
            {
                for (var i = 0; i < 10; i++)
                {
                    (await channel.PayAsync(1_000)).ShouldBeOfType<PaymentDelivered>();
                    total += 1_000;
                }

                await payee.DisposeAsync();
                var queued = new List<PaymentOutcome>();
                for (var i = 0; i < 10; i++)
                {
                    queued.Add(await channel.PayAsync(500));
                    total += 500;
                }

                queued.ShouldAllBe(o => o is PaymentQueued);
                channel.Exposure.ShouldBeGreaterThanOrEqualTo(new BigInteger(5_000));

                payee = await fixture.StartPayeeAsync(output, o => o.Port = port, database);
                await channel.FlushAsync().WaitAsync(Patience);

                // On reconnect only the newest voucher crossed the link: one accepted, nothing else.
                var metrics = await MetricsAsync(payee);
                (metrics.Accepted + metrics.Duplicate).ShouldBe(1L, $"round {round}");
                await AssertAgreeAsync(payee, channel, total);
            }
        }
        finally
        {
            await payee.DisposeAsync();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task PayAsync_PayeeRestartsMidStream_NothingLostAndStoresAgree()
    {
        var opened = await fixture.OpenChannelAsync(100_000_000);
        var folder = Directory.CreateTempSubdirectory("payee-restart-");
        var database = Path.Combine(folder.FullName, "payee.db");
        var payee = await fixture.StartPayeeAsync(output, database: database);
        var port = payee.Host.BaseUrl.Port;
        await payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.AdoptAsync(opened.Parameters, payee.StreamUrl);
        try
        {
            var payers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 150; i++)
                {
                    await channel.PayAsync(10);
                }
            })).ToArray();
            while (channel.Signed < 2_000)
            {
                await Task.Delay(5);
            }

            await payee.DisposeAsync();
            payee = await fixture.StartPayeeAsync(output, o => o.Port = port, database);
            await Task.WhenAll(payers).WaitAsync(Patience);
            await channel.FlushAsync().WaitAsync(Patience);

            await AssertAgreeAsync(payee, channel, 6_000);
        }
        finally
        {
            await payee.DisposeAsync();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task PayAsync_PayerRestartsMidStream_NeverSignsLowerAndStoresAgree()
    {
        var opened = await fixture.OpenChannelAsync(100_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        await payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var side = new PayerSide(fixture);
        var returned = new List<BigInteger>();
        var first = side.NewClient();
        var channel = await first.AdoptAsync(opened.Parameters, payee.StreamUrl);
        var payers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    var outcome = await channel.PayAsync(3);
                    lock (returned)
                    {
                        returned.Add(Amount(outcome));
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
                {
                    return; // the process "died" under this caller
                }
            }
        })).ToArray();
        while (channel.Signed < 600)
        {
            await Task.Delay(2);
        }

        await first.DisposeAsync(); // the payer process goes away mid-stream
        await Task.WhenAll(payers).WaitAsync(Patience);

        await using var second = side.NewClient();
        var again = (await second.GetChannelAsync(opened.Id))!;
        var highestOut = returned.Max();
        again.Signed.ShouldBeGreaterThanOrEqualTo(highestOut);
        var next = await again.PayAsync(7);
        Amount(next).ShouldBeGreaterThan(highestOut);
        await again.FlushAsync().WaitAsync(Patience);

        await AssertAgreeAsync(payee, again, again.Signed);
        output.WriteLine($"first payer returned {returned.Count} vouchers up to {highestOut}; restarted at {again.Signed - 7}");
    }

    [Fact]
    public async Task Receipts_DuringStream_VerifiedKeptAndRequestableAtTheEnd()
    {
        var opened = await fixture.OpenChannelAsync(100_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        await payee.WaitForStatusAsync(opened.Key, _ => true);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.AdoptAsync(opened.Parameters, payee.StreamUrl);

        for (var i = 0; i < 45; i++)
        {
            (await channel.PayAsync(100)).ShouldBeOfType<PaymentDelivered>();
        }

        var final = await channel.RequestReceiptAsync();

        final.ShouldNotBeNull();
        final.Cumulative.ShouldBe(new BigInteger(4_500));
        var kept = await side.Store.ListReceiptsAsync(opened.Key);
        kept.Count.ShouldBeGreaterThanOrEqualTo(3); // every 20 vouchers, and the one asked for
        kept.ShouldAllBe(r => r.ToPaymentReceipt().IsSignedBy(fixture.Payee));
        kept.Select(r => r.Cumulative).ShouldBeInOrder(SortDirection.Ascending);
    }

    private static BigInteger Amount(PaymentOutcome outcome) => outcome switch
    {
        PaymentDelivered d => d.Voucher.Voucher.CumulativeAmount,
        PaymentQueued q => q.Voucher.Voucher.CumulativeAmount,
        PaymentSigned s => s.Voucher.Voucher.CumulativeAmount,
        PaymentRejected r => r.Voucher.Voucher.CumulativeAmount,
        _ => throw new InvalidOperationException($"not signed: {outcome}"),
    };

    private static async Task AssertAgreeAsync(RunningPayee payee, PayerChannel channel, BigInteger expected)
    {
        channel.Signed.ShouldBe(expected);
        channel.Acknowledged.ShouldBe(expected);
        channel.Exposure.ShouldBe(BigInteger.Zero);
        var stored = await payee.NewestAsync(channel.Key);
        stored.ShouldNotBeNull();
        stored.Cumulative.ShouldBe(expected);
        stored.Signature.ToArray().ShouldBe(channel.NewestVoucher!.Signature.ToRsv());
    }

    private static async Task<(long Accepted, long Duplicate)> MetricsAsync(RunningPayee payee)
    {
        using var response = await payee.Http.GetAsync(new Uri("metrics", UriKind.Relative));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var vouchers = doc.RootElement.GetProperty("vouchers");
        return (vouchers.GetProperty("accepted").GetInt64(), vouchers.GetProperty("duplicate").GetInt64());
    }
}
