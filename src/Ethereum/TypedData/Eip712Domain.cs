using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.TypedData;

/// <summary>
/// An EIP-712 domain with any subset of the standard fields (EIP-712 "Definition of domainSeparator"),
/// its separator computed once so hashing a message costs two Keccak calls.
/// </summary>
public sealed class Eip712Domain
{
    private readonly byte[] _separator;

    /// <summary>Creates a domain; null fields are left out of the type, as EIP-712 allows.</summary>
    /// <param name="name">The signing domain's name, or null.</param>
    /// <param name="version">Its version, or null.</param>
    /// <param name="chainId">The chain id, or null.</param>
    /// <param name="verifyingContract">The verifying contract, or null.</param>
    /// <param name="salt">A 32-byte salt, or null.</param>
    public Eip712Domain(string? name, string? version, BigInteger? chainId, Address? verifyingContract, ReadOnlySpan<byte> salt = default)
    {
        if (!salt.IsEmpty && salt.Length != 32)
        {
            throw new ArgumentException("The salt is bytes32.", nameof(salt));
        }

        Name = name;
        Version = version;
        ChainId = chainId;
        VerifyingContract = verifyingContract;
        Salt = salt.IsEmpty ? null : salt.ToArray();

        var fields = new List<string>();
        var words = new List<byte[]>();
        if (name is not null)
        {
            fields.Add("string name");
            words.Add(Keccak256.HashUtf8(name));
        }

        if (version is not null)
        {
            fields.Add("string version");
            words.Add(Keccak256.HashUtf8(version));
        }

        if (chainId is { } id)
        {
            fields.Add("uint256 chainId");
            var word = new byte[32];
            Eip712Encoding.WriteUInt256(id, word, nameof(chainId));
            words.Add(word);
        }

        if (verifyingContract is { } contract)
        {
            fields.Add("address verifyingContract");
            var word = new byte[32];
            contract.Bytes.CopyTo(word.AsSpan(12));
            words.Add(word);
        }

        if (Salt is not null)
        {
            fields.Add("bytes32 salt");
            words.Add(Salt.ToArray());
        }

        EncodedType = "EIP712Domain(" + string.Join(",", fields) + ")";
        var buffer = new byte[32 * (words.Count + 1)];
        Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(EncodedType), buffer);
        for (var i = 0; i < words.Count; i++)
        {
            words[i].CopyTo(buffer, 32 * (i + 1));
        }

        _separator = Keccak256.Hash(buffer);
    }

    /// <summary>The domain name, or null.</summary>
    public string? Name { get; }

    /// <summary>The domain version, or null.</summary>
    public string? Version { get; }

    /// <summary>The chain id, or null.</summary>
    public BigInteger? ChainId { get; }

    /// <summary>The verifying contract, or null.</summary>
    public Address? VerifyingContract { get; }

    /// <summary>The salt, or null.</summary>
    public IReadOnlyList<byte>? Salt { get; }

    /// <summary>The domain's encodeType, e.g. <c>EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)</c>.</summary>
    public string EncodedType { get; }

    /// <summary>hashStruct(domain).</summary>
    public ReadOnlySpan<byte> Separator => _separator;

    /// <summary>The digest of a message given its hashStruct.</summary>
    /// <param name="structHash">hashStruct(message), 32 bytes.</param>
    /// <param name="digest">Receives the 32-byte digest.</param>
    public void Digest(ReadOnlySpan<byte> structHash, Span<byte> digest)
    {
        if (structHash.Length != 32 || digest.Length < 32)
        {
            throw new ArgumentException("The struct hash and the digest are 32 bytes.");
        }

        Eip712Encoding.Digest(_separator, structHash, digest);
    }
}
