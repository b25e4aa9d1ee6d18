using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// The EIP-712 domain of a <c>SettlementChannels</c> deployment: name, version, chain id and contract address.
/// A signature made for one domain is worthless in any other (another chain, another contract). Hashing is
/// done by <see cref="ChannelTypedData"/>.
/// </summary>
public sealed class ChannelDomain
{
    /// <summary>The domain's <c>name</c>.</summary>
    public const string Name = ChannelTypedData.DomainName;

    /// <summary>The domain's <c>version</c>.</summary>
    public const string Version = ChannelTypedData.DomainVersion;

    /// <summary>Creates the domain of the contract at <paramref name="verifyingContract"/> on <paramref name="chainId"/>.</summary>
    public ChannelDomain(ulong chainId, Address verifyingContract)
    {
        ChainId = chainId;
        VerifyingContract = verifyingContract;
        TypedData = ChannelTypedData.ForContract(chainId, verifyingContract);
    }

    /// <summary>The chain id.</summary>
    public ulong ChainId { get; }

    /// <summary>The channel contract's address.</summary>
    public Address VerifyingContract { get; }

    /// <summary>The EIP-712 domain separator (the contract's <c>DOMAIN_SEPARATOR()</c>).</summary>
    public ReadOnlySpan<byte> Separator => TypedData.Domain.Separator;

    /// <summary>The typed-data hasher of this domain.</summary>
    internal ChannelTypedData TypedData { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} v{Version} chain {ChainId} at {VerifyingContract}";
}
