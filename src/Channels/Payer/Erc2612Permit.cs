using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.TypedData;

namespace Settlement.Channels.Payer;

/// <summary>
/// EIP-2612 <c>Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)</c> in an ERC-20
/// token's own EIP-712 domain (OpenZeppelin <c>ERC20Permit</c>: the token's name, version "1"), for
/// <see cref="ChannelFunding.Permit"/>.
/// </summary>
public static class Erc2612Permit
{
    private static readonly byte[] PermitTypeHash = Keccak256.HashUtf8("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// <summary>The digest the owner signs.</summary>
    /// <param name="tokenName">The token's EIP-712 name (its <c>name()</c> for OpenZeppelin tokens).</param>
    /// <param name="chainId">The chain id.</param>
    /// <param name="token">The token contract.</param>
    /// <param name="owner">Who approves (the funder).</param>
    /// <param name="spender">The channel contract.</param>
    /// <param name="value">The amount.</param>
    /// <param name="nonce">The owner's <c>nonces(owner)</c>.</param>
    /// <param name="deadline">Unix seconds after which the permit is void.</param>
    /// <param name="version">The token's EIP-712 version ("1" for OpenZeppelin).</param>
    public static byte[] Digest(
        string tokenName, ulong chainId, Address token, Address owner, Address spender, BigInteger value, BigInteger nonce, BigInteger deadline,
        string version = "1")
    {
        var domain = new Eip712Domain(tokenName, version, chainId, token);
        Span<byte> buffer = stackalloc byte[6 * AbiWords.WordLength];
        PermitTypeHash.CopyTo(buffer);
        AbiWords.WriteAddress(buffer[32..], owner);
        AbiWords.WriteAddress(buffer[64..], spender);
        AbiWords.WriteUint256(buffer[96..], value);
        AbiWords.WriteUint256(buffer[128..], nonce);
        AbiWords.WriteUint256(buffer[160..], deadline);
        Span<byte> structHash = stackalloc byte[32];
        Keccak256.Hash(buffer, structHash);
        var digest = new byte[32];
        domain.Digest(structHash, digest);
        return digest;
    }

    /// <summary>Signs a permit with the owner's key.</summary>
    public static EcdsaSignature Sign(
        PrivateKey owner, string tokenName, ulong chainId, Address token, Address spender, BigInteger value, BigInteger nonce, BigInteger deadline,
        string version = "1")
    {
        ArgumentNullException.ThrowIfNull(owner);
        return owner.Sign(Digest(tokenName, chainId, token, owner.Address, spender, value, nonce, deadline, version));
    }
}
