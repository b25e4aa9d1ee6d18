using System.Numerics;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Ethereum.Signing;
using Microsoft.Extensions.Logging;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Policy;

/// <summary>
/// The cooperative idle close end to end on Anvil (docs/payee.md, "Cooperative idle close"): the payee service's policy
/// asks the payer to close an idle channel, the payer SDK answers with the payee's close agreement, or stays silent and
/// the payee closes unilaterally after the grace period. The payee is dev account 8 (its own nonces); the payee's clock
/// is the chain's time shifted forward by the test (idle time and grace pass without sleeping through them).
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class CooperativeIdleCloseTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Idle = TimeSpan.FromHours(1);
    private static readonly TimeSpan Grace = TimeSpan.FromHours(2);

    [Fact]
    public async Task IdleChannel_PayerAnswersTheRequest_CooperativeCloseLandsWithTheNewestSplit()
    {
        using var payeeKey = PrivateKey.ParseHex(fixture.Node.DevPrivateKeys[8]);
        var clock = await ShiftedClock.ChainAlignedAsync(fixture);
        await using var payee = await StartAsync(payeeKey, clock);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var payeeBefore = await fixture.World.Token.BalanceOfAsync(payeeKey.Address);
        var payerBefore = await fixture.World.Token.BalanceOfAsync(client.Payer);
        var channel = await OpenAndPayAsync(client, payee, payeeKey, 3, 7_000);
        var agreements = new PayeeCloseAgreementClient(payee.Http);
        (await channel.CloseIfPayeeRequestsAsync(agreements)).Result.ShouldBe(CloseResult.NotRequested);

        clock.Offset += Idle;
        (await WaitForRequestAsync(agreements, channel)).ShouldNotBeNull();
        var closed = await channel.CloseIfPayeeRequestsAsync(agreements);

        closed.ShouldBe(new CloseOutcome(CloseResult.Settled, 21_000, 0, 0));
        (await fixture.World.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await fixture.World.Token.BalanceOfAsync(payeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(21_000));
        (payerBefore - await fixture.World.Token.BalanceOfAsync(client.Payer)).ShouldBe(new BigInteger(21_000));
    }

    [Fact]
    public async Task IdleChannel_PayerSilent_PayeeClosesUnilaterallyOnlyAfterTheGrace()
    {
        using var payeeKey = PrivateKey.ParseHex(fixture.Node.DevPrivateKeys[8]);
        var clock = await ShiftedClock.ChainAlignedAsync(fixture);
        await using var payee = await StartAsync(payeeKey, clock);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await OpenAndPayAsync(client, payee, payeeKey, 2, 4_000);
        var agreements = new PayeeCloseAgreementClient(payee.Http);

        clock.Offset += Idle;
        var requestedAt = await WaitForRequestAsync(agreements, channel);
        requestedAt.ShouldNotBeNull();
        // Within the grace: asked, but nothing sent on chain (the request is a stored row, not a transaction).
        var open = await fixture.World.Channels.GetStateAsync(channel.Id);
        (open.Exists, open.CloseDeadline, open.RedeemedByPayee).ShouldBe((true, 0UL, BigInteger.Zero));

        clock.Offset += Grace;
        var closing = await WaitForClosingAsync(channel);

        closing.RedeemedByPayee.ShouldBe(new BigInteger(8_000));
        closing.CloseDeadline.ShouldBeGreaterThan(0UL);
        (await agreements.GetCloseRequestAsync(channel.Key)).ShouldBe(requestedAt);
    }

    private async Task<RunningPayee> StartAsync(PrivateKey payeeKey, ShiftedClock clock)
    {
        var folder = Directory.CreateTempSubdirectory("payee-idle-close-");
        var options = fixture.Options(Path.Combine(folder.FullName, "payee.db"));
        options.Policy.Enabled = true;
        options.Policy.Interval = TimeSpan.FromMilliseconds(100);
        options.Policy.ExhaustedBelowBasisPoints = 0;
        options.Policy.IdleCloseAfter = Idle;
        options.Policy.IdleCloseGrace = Grace;
        var host = await PayeeServiceHost.StartAsync(options, payeeKey, b => b.AddProvider(new TestOutputLoggerProvider(output)), time: clock);
        return new RunningPayee(host, options, folder.FullName);
    }

    private async Task<PayerChannel> OpenAndPayAsync(PayerClient client, RunningPayee payee, PrivateKey payeeKey, int payments, BigInteger each)
    {
        var channel = await client.OpenAsync(new OpenChannelRequest(payeeKey.Address, fixture.World.Token.Address, 1_000_000) { PayeeStreamUrl = payee.StreamUrl });
        await fixture.Node.MineAsync();
        await payee.WaitForStatusAsync(channel.Key, _ => true);
        for (var i = 0; i < payments; i++)
        {
            (await channel.PayAsync(each)).ShouldBeOfType<PaymentDelivered>();
        }

        return channel;
    }

    // The policy runs every 100 ms on the payee's (shifted) clock; polls the payee service as the payer SDK would.
    private static async Task<DateTimeOffset?> WaitForRequestAsync(PayeeCloseAgreementClient agreements, PayerChannel channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!timeout.IsCancellationRequested)
        {
            if (await agreements.GetCloseRequestAsync(channel.Key) is { } at)
            {
                return at;
            }

            await Task.Delay(50);
        }

        return null;
    }

    // Polls the chain (the independent source) until the payee's unilateral close is mined.
    private async Task<Channels.Contracts.ChannelState> WaitForClosingAsync(PayerChannel channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var state = await fixture.World.Channels.GetStateAsync(channel.Id);
            if (state.CloseDeadline != 0 || timeout.IsCancellationRequested)
            {
                return state;
            }

            await Task.Delay(50);
        }
    }
}
