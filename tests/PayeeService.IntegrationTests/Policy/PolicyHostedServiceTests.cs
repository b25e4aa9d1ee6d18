using System.Numerics;
using Settlement.Channels.Transport;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Policy;

/// <summary>
/// The policy inside the payee service (<c>Payee:Policy:Enabled</c>): a streamed voucher that nearly exhausts the deposit
/// is redeemed on chain by the service itself. The payee is dev account 9, so the service's transactions do not touch the
/// shared world's payee nonces.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PolicyHostedServiceTests(PayeeWorldFixture fixture)
{
    [Fact]
    public async Task Enabled_StreamedVoucherNearlyExhaustsDeposit_ServiceRedeemsIt()
    {
        using var payee = PrivateKey.ParseHex(fixture.Node.DevPrivateKeys[9]);
        var channel = await fixture.OpenChannelAsync(10_000, payee.Address);
        var folder = Directory.CreateTempSubdirectory("payee-policy-host-");
        var options = fixture.Options(Path.Combine(folder.FullName, "payee.db"));
        options.Policy.Enabled = true;
        options.Policy.Interval = TimeSpan.FromMilliseconds(100);
        options.Policy.IdleCloseAfter = null;
        options.Policy.ExhaustedBelowBasisPoints = 1_000;
        try
        {
            await using (var host = await PayeeServiceHost.StartAsync(options, payee))
            {
                await using var client = await PayeeStreamClient.ConnectAsync(host.StreamUrl, fixture.ChainId, fixture.Contract);
                (await client.SendAsync(channel.Voucher(8_000))).Outcome.ShouldBe(AckOutcome.Accepted);
                (await client.SendAsync(channel.Voucher(9_500))).Outcome.ShouldBe(AckOutcome.Accepted);

                var redeemed = await WaitForRedeemedAsync(channel, 9_500);

                redeemed.ShouldBe(new BigInteger(9_500));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Enabled_WithoutPayeeKey_RefusedAtStartNamingTheSetting()
    {
        var options = fixture.Options(Path.Combine(Path.GetTempPath(), "never-created-" + Guid.NewGuid().ToString("N") + ".db"));
        options.Policy.Enabled = true;

        var refused = await Should.ThrowAsync<ArgumentException>(() => PayeeServiceHost.StartAsync(options, null));

        refused.Message.ShouldBe("Payee:Policy:Enabled needs the payee's key: the policy sends its redeems and closes as the payee.");
    }

    [Fact]
    public async Task InvalidPolicyOption_RefusedAtStartNamingTheSetting()
    {
        var options = fixture.Options(Path.Combine(Path.GetTempPath(), "never-created-" + Guid.NewGuid().ToString("N") + ".db"));
        options.Policy.UnredeemedAbove = "-5";

        var refused = await Should.ThrowAsync<ArgumentException>(() => PayeeServiceHost.StartAsync(options, null));

        refused.Message.ShouldBe("Invalid payee service settings: Payee:Policy:UnredeemedAbove must be a positive whole number of base units; got '-5'.");
    }

    // Polls the chain (the independent source) until the service's redeem is mined; the service runs every 100 ms.
    private async Task<BigInteger> WaitForRedeemedAsync(TestChannel channel, BigInteger expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var state = await fixture.World.Channels.GetStateAsync(channel.Id);
            if (state.RedeemedByPayee >= expected || timeout.IsCancellationRequested)
            {
                return state.RedeemedByPayee;
            }

            await Task.Delay(50);
        }
    }
}
