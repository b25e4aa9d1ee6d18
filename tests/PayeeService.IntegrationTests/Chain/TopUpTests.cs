using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Chain;

/// <summary>The chain follower keeps the running service's credit current.</summary>
[Collection(PayeeCollection.Name)]
public sealed class TopUpTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Voucher_AboveDepositThenTopUpConfirmed_RefusedThenAcceptedWithoutRestart()
    {
        var channel = await fixture.OpenChannelAsync(10_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        (await client.SendAsync(channel.Voucher(5_000))).Outcome.ShouldBe(AckOutcome.Accepted);
        var above = channel.Voucher(15_000);

        var refused = await client.SendAsync(above);
        refused.Outcome.ShouldBe(AckOutcome.Rejected);
        refused.RejectCode.ShouldBe(VoucherRejectCode.ExceedsDeposit);
        refused.StoredAmount.ShouldBe(new BigInteger(5_000));

        // The top-up's block is not confirmed yet (1 confirmation): still refused.
        await fixture.World.Token.ApproveAsync(fixture.World.Payer, fixture.Contract, 10_000);
        (await fixture.World.Channels.TopUpAsync(fixture.World.Payer, channel.Parameters, 10_000)).Succeeded.ShouldBeTrue();
        await Task.Delay(3 * payee.Options.ChainPollInterval);
        (await client.SendAsync(above)).RejectCode.ShouldBe(VoucherRejectCode.ExceedsDeposit);

        await fixture.Node.MineAsync();
        var status = await payee.WaitForStatusAsync(channel.Key, s => RunningPayee.Amount(s, "deposit") == 20_000);
        RunningPayee.Amount(status, "remaining").ShouldBe(new BigInteger(15_000));

        var accepted = await client.SendAsync(above);
        accepted.Outcome.ShouldBe(AckOutcome.Accepted);
        accepted.StoredAmount.ShouldBe(new BigInteger(15_000));
        (await payee.NewestAsync(channel.Key))!.Cumulative.ShouldBe(new BigInteger(15_000));
    }
}
