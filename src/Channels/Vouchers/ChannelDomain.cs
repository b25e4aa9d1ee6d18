using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// The EIP-712 domain of a <c>SettlementChannels</c> deployment: name, version, chain id and contract address.
/// A signature made for one domain is worthless in any other (another chain, another contract).
/// </summary>
public sealed class ChannelDomain
{
    /// <summary>The domain's <c>name</c>.</summary>
    public const string Name = "SettlementChannels";

    /// <summary>The domain's <c>version</c>.</summary>
    public const string Version = "1";

    private static readonly byte[] DomainTypeHash =
        Keccak256.HashUtf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    private readonly byte[] _separator;

    /// <summary>Creates the domain of the contract at <paramref name="verifyingContract"/> on <paramref name="chainId"/>.</summary>
    public ChannelDomain(ulong chainId, Address verifyingContract)
    {
        ChainId = chainId;
        VerifyingContract = verifyingContract;
        Span<byte> buffer = stackalloc byte[5 * AbiWords.WordLength];
        DomainTypeHash.CopyTo(buffer);
        Keccak256.HashUtf8(Name).CopyTo(buffer[32..]);
        Keccak256.HashUtf8(Version).CopyTo(buffer[64..]);
        AbiWords.WriteUInt64(buffer[96..], chainId);
        AbiWords.WriteAddress(buffer[128..], verifyingContract);
        _separator = Keccak256.Hash(buffer);
    }

    /// <summary>The chain id.</summary>
    public ulong ChainId { get; }

    /// <summary>The channel contract's address.</summary>
    public Address VerifyingContract { get; }

    /// <summary>The EIP-712 domain separator (the contract's <c>DOMAIN_SEPARATOR()</c>).</summary>
    public ReadOnlySpan<byte> Separator => _separator;

    /// <summary>The EIP-712 digest <c>keccak256(0x1901 ‖ separator ‖ structHash)</c>.</summary>
    internal byte[] Digest(ReadOnlySpan<byte> structHash)
    {
        Span<byte> buffer = stackalloc byte[2 + 32 + 32];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        _separator.CopyTo(buffer[2..]);
        structHash.CopyTo(buffer[34..]);
        return Keccak256.Hash(buffer);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} v{Version} chain {ChainId} at {VerifyingContract}";
}
