using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>A channel opened on chain, and the payer's vouchers for it.</summary>
internal sealed class TestChannel(ChannelWorld world, ChannelParameters parameters)
{
    public ChannelParameters Parameters { get; } = parameters;

    public ChannelId Id { get; } = parameters.Id;

    public ChannelKey Key => new(world.Node.ChainId, world.Channels.Address, Id);

    /// <summary>The payer's signed voucher for <paramref name="cumulative"/>.</summary>
    public SignedVoucher Sign(BigInteger cumulative, PrivateKey? signer = null) =>
        world.Channels.SignVoucher(signer ?? world.PayerKey, Id, cumulative);

    /// <summary>The VOUCHER frame of the payer's voucher for <paramref name="cumulative"/>.</summary>
    public VoucherFrame Voucher(BigInteger cumulative, PrivateKey? signer = null) => VoucherFrame.FromSignedVoucher(Sign(cumulative, signer));
}
