using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payer;

/// <summary>
/// A channel to open from the payer to <see cref="Payee"/> in <see cref="Token"/> (<see cref="Address.Zero"/>: ETH)
/// with <see cref="Deposit"/> base units (docs/protocol.md, "Deposits").
/// </summary>
/// <param name="Payee">The payee.</param>
/// <param name="Token">The ERC-20 token, or <see cref="Address.Zero"/> for ETH.</param>
/// <param name="Deposit">The deposit in base units (wei for ETH).</param>
public sealed record OpenChannelRequest(Address Payee, Address Token, BigInteger Deposit)
{
    /// <summary>The challenge period, 3600 s .. 30 days.</summary>
    public uint ChallengePeriodSeconds { get; init; } = 3600;

    /// <summary>The payee service's stream (<c>ws://…/v1/stream</c>), or null if vouchers travel another way (HTTP 402).</summary>
    public Uri? PayeeStreamUrl { get; init; }

    /// <summary>How an ERC-20 deposit reaches the contract (ignored for ETH).</summary>
    public ChannelFunding Funding { get; init; } = ChannelFunding.Approve;

    /// <summary>
    /// Who sends the opening transaction and pays the deposit: the platform opening on the user's behalf, or null for
    /// the client's own transactor. The channel's payer is always the client's key.
    /// </summary>
    public IContractTransactor? Funder { get; init; }

    /// <summary>The EIP-2612 permit's deadline (unix seconds), with <see cref="ChannelFunding.Permit"/>.</summary>
    public BigInteger PermitDeadline { get; init; }

    /// <summary>The funder's EIP-2612 permit signature (<see cref="Erc2612Permit"/>), with <see cref="ChannelFunding.Permit"/>.</summary>
    public EcdsaSignature? Permit { get; init; }
}
