using System.Diagnostics.CodeAnalysis;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Signing;

/// <summary>A secp256k1 public key, held as its uncompressed coordinates X‖Y (64 bytes).</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _xy;
    private Address? _address;

    internal PublicKey(byte[] xy) => _xy = xy;

    /// <summary>X‖Y, 64 bytes big-endian (the uncompressed encoding without its 0x04 prefix).</summary>
    public ReadOnlySpan<byte> XY => _xy;

    /// <summary>The Ethereum address: the last 20 bytes of Keccak-256(X‖Y).</summary>
    public Address Address => _address ??= Address.FromPublicKey(_xy);

    /// <summary>
    /// Recovers the public key that made <paramref name="signature"/> over <paramref name="hash32"/>.
    /// Returns false, never throws, when the hash is not 32 bytes or no key matches.
    /// </summary>
    public static bool TryRecover(ReadOnlySpan<byte> hash32, in EcdsaSignature signature, [NotNullWhen(true)] out PublicKey? publicKey) =>
        TryRecover(Secp256k1Backends.Active, hash32, signature, out publicKey);

    internal static bool TryRecover(ISecp256k1Backend backend, ReadOnlySpan<byte> hash32, in EcdsaSignature signature, [NotNullWhen(true)] out PublicKey? publicKey)
    {
        var xy = new byte[64];
        if (!signature.TryRecoverPublicKey(backend, hash32, xy))
        {
            publicKey = null;
            return false;
        }

        publicKey = new PublicKey(xy);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(PublicKey? other) => other is not null && _xy.AsSpan().SequenceEqual(other._xy);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_xy);
        return hash.ToHashCode();
    }

    /// <summary>The 0x-prefixed hex of the 65-byte uncompressed encoding (0x04‖X‖Y).</summary>
    public override string ToString() => "0x04" + Hex.Encode(_xy, prefix: false);
}
