using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;

namespace Settlement.Channels.Contracts;

/// <summary>
/// The immutable parameters of a channel (the contract's <c>Channel</c> struct), passed back on every call.
/// <see cref="Address.Zero"/> as <see cref="Token"/> means ETH.
/// </summary>
public sealed record ChannelParameters(Address Payer, Address Payee, Address Token, uint ChallengePeriodSeconds, ulong Nonce)
{
    /// <summary>The channel id: <c>keccak256(abi.encode(payer, payee, token, challengePeriod, nonce))</c>.</summary>
    public ChannelId Id
    {
        get
        {
            Span<byte> buffer = stackalloc byte[5 * AbiWords.WordLength];
            AbiWords.WriteAddress(buffer, Payer);
            AbiWords.WriteAddress(buffer[32..], Payee);
            AbiWords.WriteAddress(buffer[64..], Token);
            AbiWords.WriteUInt64(buffer[96..], ChallengePeriodSeconds);
            AbiWords.WriteUInt64(buffer[128..], Nonce);
            return ChannelId.FromBytes(Keccak256.Hash(buffer));
        }
    }
}
