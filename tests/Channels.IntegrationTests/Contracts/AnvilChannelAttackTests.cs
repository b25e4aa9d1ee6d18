using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

public sealed class AnvilChannelAttackTests(AnvilNode node) : ChannelAttackTests<AnvilNode>(node)
{
    [Fact]
    public async Task Redeem_SameContractAfterChainIdChanges_OldChainVoucherRefused()
    {
        // A chain split: the same contract, state and channel now live on a chain with another id
        // (anvil_setChainId). Vouchers signed for the old chain id must not be redeemable there. Anvil's
        // unlocked accounts cannot send after the switch, so the redemption is executed with eth_call.
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, ChannelWorld.Period, 1_000_000);
        var signedBeforeSplit = w.Channels.SignVoucher(w.PayerKey, c.ChannelId, 600_000);
        (await TryRedeemAsync(w, c.Channel, signedBeforeSplit)).ShouldBeNull(); // valid before the split

        const ulong ForkChainId = 4242;
        await Node.RequestAsync("anvil_setChainId", ForkChainId);
        try
        {
            (await TryRedeemAsync(w, c.Channel, signedBeforeSplit)).ShouldBe("InvalidSigner");

            var forkDomain = new ChannelDomain(ForkChainId, w.Channels.Address);
            (await w.Channels.GetDomainSeparatorAsync()).ShouldBe(forkDomain.Separator.ToArray());
            var voucher = new Voucher(c.ChannelId, 600_000);
            (await TryRedeemAsync(w, c.Channel, new SignedVoucher(voucher, voucher.Sign(w.PayerKey, forkDomain)))).ShouldBeNull();
        }
        finally
        {
            await Node.RequestAsync("anvil_setChainId", Node.ChainId);
        }
    }

    /// <summary>Executes redeem as the payee with eth_call; returns the custom error's name, or null if it succeeds.</summary>
    private static async Task<string?> TryRedeemAsync(ChannelWorld w, ChannelParameters c, SignedVoucher v)
    {
        var data = new RedeemFunction
        {
            C = ChannelContract.Tuple(c),
            CumulativeAmount = v.Voucher.CumulativeAmount,
            Sig = new SignatureStruct { V = v.Signature.V, R = v.Signature.R.ToArray(), S = v.Signature.S.ToArray() },
        }.GetCallData();
        try
        {
            await w.Rpc.CallAsync(new CallRequest { From = w.PayeeKey.Address, To = w.Channels.Address, Data = data });
            return null;
        }
        catch (JsonRpcException ex) when (ex.RevertData is { Length: > 0 } revert)
        {
            RevertReason.TryDecode(revert.Span, ChannelContract.Errors, out var reason).ShouldBeTrue();
            return reason!.Name;
        }
    }
}
