using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer.Mapping;

/// <summary>
/// The ledger accounts the indexer books into, created on demand with deterministic ids (SHA-256 of a domain tag, the
/// chain id, the ledger, the kind and the on-chain key), so anyone can compute the account of an address or channel.
/// No limit flags: they mirror what the chain already did.
/// </summary>
public static class ChainAccounts
{
    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("l2pay/indexer/account/v1");

    /// <summary>An address's token balance as the chain shows it (<see cref="AccountCode.OnChainWallet"/>).</summary>
    public static Account Wallet(ulong chainId, uint ledger, string address) =>
        Create(chainId, ledger, AccountCode.OnChainWallet, address);

    /// <summary>One channel's escrow held by the channel contract (<see cref="AccountCode.ChannelEscrow"/>).</summary>
    public static Account Escrow(ulong chainId, uint ledger, string contract, string channelId) =>
        Create(chainId, ledger, AccountCode.ChannelEscrow, contract + "/" + channelId);

    /// <summary>Deferred payouts the contract owes <paramref name="owner"/> (<see cref="AccountCode.DeferredPayout"/>).</summary>
    public static Account Owed(ulong chainId, uint ledger, string contract, string owner) =>
        Create(chainId, ledger, AccountCode.DeferredPayout, contract + "/" + owner);

    /// <summary>The token's issuance: debited by mints, credited by burns (<see cref="AccountCode.TokenIssuance"/>).</summary>
    public static Account Issuance(ulong chainId, uint ledger, string token) =>
        Create(chainId, ledger, AccountCode.TokenIssuance, token);

    private static Account Create(ulong chainId, uint ledger, AccountCode code, string key)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Tag);
        Span<byte> header = stackalloc byte[8 + 4 + 2];
        BinaryPrimitives.WriteUInt64BigEndian(header, chainId);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], ledger);
        BinaryPrimitives.WriteUInt16BigEndian(header[12..], (ushort)code);
        hash.AppendData(header);
        ChainTransferIds.AppendText(hash, key);
        return new Account(ChainTransferIds.FromDigest(hash.GetHashAndReset()), ledger, (ushort)code);
    }
}
