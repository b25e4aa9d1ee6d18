using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Transport;

/// <summary>
/// <c>0x01 HELLO</c>, client → payee, the first frame on a stream: it fixes the chain and contract of the connection,
/// so every later VOUCHER is checked in that EIP-712 domain and never against another deployment's channel.
/// </summary>
/// <param name="Version">The protocol version; 1 (<see cref="PayeeFrames.Version"/>).</param>
/// <param name="ChainId">The chain id.</param>
/// <param name="Contract">The <c>SettlementChannels</c> contract.</param>
public sealed record HelloFrame(byte Version, ulong ChainId, Address Contract) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.Hello;
}
