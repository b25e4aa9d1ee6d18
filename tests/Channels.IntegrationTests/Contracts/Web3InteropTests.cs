using System.Numerics;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Tokens;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>
/// An application that already uses Nethereum plugs its own <see cref="Web3"/> (with an <see cref="Account"/>) into the
/// channel client: reads over <c>web3.Client</c>, transactions through its account, custom errors decoded.
/// </summary>
public sealed class Web3InteropTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    [Fact]
    public async Task ChannelLifecycle_ThroughAppsWeb3Accounts_OpensRedeemsClosesAndDecodesErrors()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var payerWeb3 = new Web3(new Account(node.DevPrivateKeys[1], (long)node.ChainId), node.RpcUrl.ToString());
        var payeeWeb3 = new Web3(new Account(node.DevPrivateKeys[2], (long)node.ChainId), node.RpcUrl.ToString());
        var channels = await ChannelContract.FromWeb3Async(payerWeb3, w.Channels.Address, node.ChainId);
        var token = await StablecoinContract.FromWeb3Async(payerWeb3, w.Token.Address, node.ChainId);
        var payer = new Web3Transactor(payerWeb3);
        var payee = new Web3Transactor(payeeWeb3);
        payer.Sender.ShouldBe(w.PayerKey.Address);
        channels.Domain.Separator.ToArray().ShouldBe(w.Channels.Domain.Separator.ToArray());

        await token.ApproveAsync(payer, channels.Address, 1_000_000);
        var opened = await channels.OpenAsync(payer, payer.Sender, payee.Sender, token.Address, ChannelWorld.Period, 1_000_000);
        opened.Channel.Payer.ShouldBe(w.PayerKey.Address);
        opened.Channel.Payee.ShouldBe(w.PayeeKey.Address);
        opened.Funder.ShouldBe(w.PayerKey.Address);
        opened.Deposit.ShouldBe(new BigInteger(1_000_000));
        var c = opened.Channel;

        // The voucher is signed by our fast path; the payee redeems it through its own Nethereum account.
        var voucher = channels.SignVoucher(w.PayerKey, c.Id, 250_000);
        var payeeBefore = await token.BalanceOfAsync(payee.Sender);
        var receipt = await channels.RedeemAsync(payee, c, voucher);
        receipt.Succeeded.ShouldBeTrue();
        receipt.From.ShouldBe(w.PayeeKey.Address);
        var redeemed = channels.DecodeEvents(receipt.Logs).OfType<VoucherRedeemedEvent>().ShouldHaveSingleItem();
        redeemed.CumulativeAmount.ShouldBe(new BigInteger(250_000));
        redeemed.Amount.ShouldBe(new BigInteger(250_000));
        (await token.BalanceOfAsync(payee.Sender) - payeeBefore).ShouldBe(new BigInteger(250_000));
        (await channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(250_000));

        // The same voucher again: the node refuses it at gas estimation and the custom error comes back by name;
        // nothing changed on chain.
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => channels.RedeemAsync(payee, c, voucher));
        ex.ErrorName.ShouldBe("VoucherNotNewer");
        (await channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(250_000));
        (await token.BalanceOfAsync(payee.Sender) - payeeBefore).ShouldBe(new BigInteger(250_000));
    }

    [Fact]
    public async Task FromWeb3Async_NodeOnOtherChain_RefusesTheContract()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var web3 = new Web3(new Account(node.DevPrivateKeys[1], 1), node.RpcUrl.ToString());

        var ex = await Should.ThrowAsync<ChainIdMismatchException>(() => ChannelContract.FromWeb3Async(web3, w.Channels.Address, chainId: 1));
        ex.ExpectedChainId.ShouldBe(1UL);
        ex.ActualChainId.ShouldBe(node.ChainId);
        await Should.ThrowAsync<ChainIdMismatchException>(() => StablecoinContract.FromWeb3Async(web3, w.Token.Address, chainId: 1));
    }
}
