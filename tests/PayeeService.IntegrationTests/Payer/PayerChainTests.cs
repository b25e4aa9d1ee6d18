using System.Numerics;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Payer.Storage;
using Settlement.Ethereum.Addresses;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Payer;

/// <summary>The payer SDK's on-chain side on Anvil: every way to open, top up, refunds, cooperative and unilateral close.</summary>
[Collection(PayeeCollection.Name)]
public sealed class PayerChainTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private Channels.IntegrationTests.Support.ChannelWorld W => fixture.World;

    [Fact]
    public async Task OpenErc20_PayOverStreamThenCooperativeClose_PayeeGetsNewestVoucherPayerTheRest()
    {
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var payeeBefore = await W.Token.BalanceOfAsync(fixture.Payee);
        var payerBefore = await W.Token.BalanceOfAsync(client.Payer);

        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 1_000_000) { PayeeStreamUrl = payee.StreamUrl });
        await fixture.Node.MineAsync();
        await payee.WaitForStatusAsync(channel.Key, _ => true);
        for (var i = 0; i < 10; i++)
        {
            (await channel.PayAsync(12_345)).ShouldBeOfType<PaymentDelivered>();
        }

        var deadline = (await W.Rpc.GetBlockByNumberAsync(Ethereum.Rpc.BlockParameter.Latest))!.Timestamp + 3600;
        var state = channel.CloseState(deadline);
        var payeeSignature = state.Sign(W.PayeeKey, W.Channels.Domain);
        var closed = await channel.CloseAsync(payeeSignature, deadline);

        closed.ShouldBe(new CloseOutcome(CloseResult.Settled, 123_450, 0, 0));
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await W.Token.BalanceOfAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(123_450));
        (payerBefore - await W.Token.BalanceOfAsync(client.Payer)).ShouldBe(new BigInteger(123_450));
        (await W.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await channel.PayAsync(1)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosed, 1, 123_450, 1_000_000));
    }

    [Fact]
    public async Task CloseWithPayeeAsync_PayeeServiceAgrees_SettledAtTheNewestVoucher()
    {
        await using var payee = await fixture.StartPayeeAsync(output, time: await ShiftedClock.ChainAlignedAsync(fixture));
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var payeeBefore = await W.Token.BalanceOfAsync(fixture.Payee);
        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 1_000_000) { PayeeStreamUrl = payee.StreamUrl });
        await fixture.Node.MineAsync();
        await payee.WaitForStatusAsync(channel.Key, _ => true);
        var agreements = new PayeeCloseAgreementClient(payee.Http);

        (await channel.CloseWithPayeeAsync(agreements)).ShouldBe(new CloseOutcome(CloseResult.PayeeRefused, 0, 0, 0));
        (await agreements.RequestAsync(channel.Key)).ShouldBe(new PayeeRefusedClose(409, "nothingToClose"));
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        for (var i = 0; i < 4; i++)
        {
            (await channel.PayAsync(1_000)).ShouldBeOfType<PaymentDelivered>();
        }

        var closed = await channel.CloseWithPayeeAsync(agreements);

        closed.ShouldBe(new CloseOutcome(CloseResult.Settled, 4_000, 0, 0));
        (await W.Token.BalanceOfAsync(fixture.Payee) - payeeBefore).ShouldBe(new BigInteger(4_000));
        (await W.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
    }

    [Fact]
    public async Task CloseAsync_PayeeSignatureOverAnotherState_RefusedAndNothingSent()
    {
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 1_000));
        await channel.SignNextAsync(400);
        var wrong = new Channels.Vouchers.CooperativeCloseState(channel.Id, 300, 0, 1_900_000_000).Sign(W.PayeeKey, W.Channels.Domain);

        var outcome = await channel.CloseAsync(wrong, 1_900_000_000);

        outcome.ShouldBe(new CloseOutcome(CloseResult.WrongPayeeSignature, 400, 0, 0));
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        (await W.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeTrue();
    }

    [Fact]
    public async Task OpenEth_UnilateralClose_SettleRefusedDuringChallengeThenSettlesAfter()
    {
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, Address.Zero, 1_000_000_000));
        var voucher = await channel.SignNextAsync(250_000_000);

        var closing = await channel.CloseAsync();
        closing.Result.ShouldBe(CloseResult.Closing);
        closing.Deadline.ShouldBeGreaterThan(0UL);
        (await channel.PayAsync(1)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosing, 1, 250_000_000, 1_000_000_000));
        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.ChallengePeriodActive, 250_000_000, 0, closing.Deadline));
        channel.Status.ShouldBe(PayerChannelStatus.Closing);
        (await W.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeTrue();

        // The payee redeems the newest voucher within the challenge period, as its watcher would.
        await W.Channels.RedeemAsync(W.Payee, channel.Parameters, voucher);
        await W.PassChallengePeriodAsync();
        var payerBefore = await W.Rpc.GetBalanceAsync(client.Payer);
        var settled = await channel.SettleAsync(W.Other); // anyone may send settle

        settled.Result.ShouldBe(CloseResult.Settled);
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await W.Channels.GetStateAsync(channel.Id)).Exists.ShouldBeFalse();
        (await W.Rpc.GetBalanceAsync(client.Payer) - payerBefore).ShouldBe(new BigInteger(750_000_000)); // deposit − redeemed, no gas: Other sent it
        (await channel.SettleAsync()).Result.ShouldBe(CloseResult.AlreadySettled);
    }

    [Fact]
    public async Task SettleAsync_OpenChannel_RefusedNotClosing()
    {
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 1_000));

        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.NotClosing, 0, 0, 0));
        channel.Status.ShouldBe(PayerChannelStatus.Open);
    }

    [Fact]
    public async Task OpenWithPermit_OneTransaction_DepositCredited()
    {
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var deadline = new BigInteger(await W.LatestTimestampAsync() + 3600);
        var nonce = await W.Token.NoncesAsync(client.Payer);
        var permit = Erc2612Permit.Sign(W.PayerKey, "Settlement Test Pound", fixture.ChainId, W.Token.Address, W.Channels.Address, 777_000, nonce, deadline);

        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 777_000)
        {
            Funding = ChannelFunding.Permit,
            PermitDeadline = deadline,
            Permit = permit,
        });

        channel.Deposit.ShouldBe(new BigInteger(777_000));
        (await W.Channels.GetStateAsync(channel.Id)).PayerDeposit.ShouldBe(new BigInteger(777_000));
        (await W.Token.NoncesAsync(client.Payer)).ShouldBe(nonce + 1);
    }

    [Fact]
    public async Task OpenOnBehalf_PlatformFunds_PayerSignsAndTopUpLiftsARefusal()
    {
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var platformBefore = await W.Token.BalanceOfAsync(W.Platform.Sender);

        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 500) { Funder = W.Platform });
        channel.Parameters.Payer.ShouldBe(client.Payer);
        (platformBefore - await W.Token.BalanceOfAsync(W.Platform.Sender)).ShouldBe(new BigInteger(500));
        await channel.SignNextAsync(400);
        var refused = await channel.TrySignNextAsync(200);
        refused.ShouldBe(new PaymentRefused(PaymentRefusalReason.ExceedsDeposit, 200, 400, 500));

        (await channel.TopUpAsync(300, W.Platform)).ShouldBe(new BigInteger(800));

        (await channel.SignNextAsync(200)).Voucher.CumulativeAmount.ShouldBe(new BigInteger(600));
        (await side.Store.GetChannelAsync(channel.Key))!.Record.Deposit.ShouldBe(new BigInteger(800));
    }

    [Fact]
    public async Task Adopt_ChannelOpenedElsewhere_KnownAfterRestartAndFoundForItsPayee()
    {
        var parameters = await W.OpenAsync(5_000, funder: W.Platform);
        await using var side = new PayerSide(fixture);
        await using (var client = side.NewClient())
        {
            var adopted = await client.AdoptAsync(parameters);
            adopted.Deposit.ShouldBe(new BigInteger(5_000));
            await adopted.SignNextAsync(1_000);
            await Should.ThrowAsync<ArgumentException>(() => client.AdoptAsync(parameters with { Payer = fixture.Payee }));
        }

        await using var restarted = side.NewClient();
        var found = await restarted.FindOpenAsync(fixture.Payee, W.Token.Address, 4_000);
        found.ShouldNotBeNull();
        found.Id.ShouldBe(parameters.Id);
        found.Signed.ShouldBe(new BigInteger(1_000));
        (await restarted.FindOpenAsync(fixture.Payee, W.Token.Address, 4_001)).ShouldBeNull();
        var opened = await restarted.FindOrOpenAsync(fixture.ChainId, fixture.Contract, new OpenChannelRequest(fixture.Payee, W.Token.Address, 9_000), 4_001);
        opened.Id.ShouldNotBe(parameters.Id);
        opened.Deposit.ShouldBe(new BigInteger(9_000));
    }

    [Fact]
    public async Task Refund_PayeeToppedUpItsSide_AcceptedAndRedeemedByUnilateralClose()
    {
        await using var side = new PayerSide(fixture);
        await using var client = side.NewClient();
        var channel = await client.OpenAsync(new OpenChannelRequest(fixture.Payee, W.Token.Address, 10_000));
        await W.Token.ApproveAsync(W.Payee, W.Channels.Address, 2_000);
        await W.Channels.TopUpPayeeAsync(W.Payee, channel.Parameters, 2_000);
        var refund = W.Channels.SignVoucher(W.PayeeKey, channel.Id, 1_500);

        (await channel.AcceptRefundAsync(refund)).ShouldBe(new RefundOutcome(RefundVerdict.ExceedsPayeeDeposit, 0)); // deposit not read yet
        await channel.RefreshAsync();
        channel.PayeeDeposit.ShouldBe(new BigInteger(2_000));
        (await channel.AcceptRefundAsync(refund)).ShouldBe(new RefundOutcome(RefundVerdict.Accepted, 1_500));
        var payerBefore = await W.Token.BalanceOfAsync(client.Payer);

        var closing = await channel.CloseAsync();

        closing.ShouldBe(closing with { Result = CloseResult.Closing, PayeeToPayer = 1_500 });
        (await W.Channels.GetStateAsync(channel.Id)).RedeemedByPayer.ShouldBe(new BigInteger(1_500));
        (await W.Token.BalanceOfAsync(client.Payer) - payerBefore).ShouldBe(new BigInteger(1_500));
    }
}
