using System.Security.Cryptography;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Signing;

/// <summary>
/// A secp256k1 ECDSA signature as Ethereum uses it: r, s (32 bytes each, big-endian) and the
/// recovery id that identifies the signer's public key among the candidates. Every instance made
/// through this API is canonical: 0 &lt; r &lt; n and 0 &lt; s &lt;= n/2 (EIP-2 low-s), so a malleable
/// twin (r, n − s) of a valid signature is never accepted.
/// </summary>
public readonly struct EcdsaSignature : IEquatable<EcdsaSignature>
{
    /// <summary>Length of the r‖s‖v form in bytes.</summary>
    public const int RsvLength = 65;

    private static readonly byte[] Empty = new byte[64];

    private readonly byte[]? _rs;
    private readonly byte _recoveryId;

    internal EcdsaSignature(byte[] rs, byte recoveryId)
    {
        _rs = rs;
        _recoveryId = recoveryId;
    }

    /// <summary>r, 32 bytes big-endian.</summary>
    public ReadOnlySpan<byte> R => (_rs ?? Empty).AsSpan(0, 32);

    /// <summary>s, 32 bytes big-endian, in the lower half of the group order.</summary>
    public ReadOnlySpan<byte> S => (_rs ?? Empty).AsSpan(32, 32);

    /// <summary>The recovery id, 0 or 1 (the parity of the nonce point's y).</summary>
    public byte RecoveryId => _recoveryId;

    /// <summary>The recovery id as Ethereum's v: 27 or 28.</summary>
    public byte V => (byte)(27 + _recoveryId);

    internal ReadOnlySpan<byte> RS => _rs ?? Empty;

    /// <summary>
    /// Creates a signature from r, s and a recovery id (0/1). Returns false, never throws, for
    /// wrong lengths, r or s equal to 0 or at least n, a high s (above n/2) or another recovery id.
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<byte> r32, ReadOnlySpan<byte> s32, byte recoveryId, out EcdsaSignature signature)
    {
        signature = default;
        if (recoveryId > 1 || !Secp256k1Scalars.IsInRange(r32) || !Secp256k1Scalars.IsLowS(s32))
        {
            return false;
        }

        var rs = new byte[64];
        r32.CopyTo(rs);
        s32.CopyTo(rs.AsSpan(32));
        signature = new EcdsaSignature(rs, recoveryId);
        return true;
    }

    /// <summary>
    /// Parses 65 bytes r‖s‖v with v in {0, 1, 27, 28}. Returns false, never throws, on any other
    /// input (wrong length, other v, r/s out of range, high s).
    /// </summary>
    public static bool TryParseRsv(ReadOnlySpan<byte> sig65, out EcdsaSignature signature)
    {
        signature = default;
        if (sig65.Length != RsvLength)
        {
            return false;
        }

        var v = sig65[64];
        byte recoveryId;
        switch (v)
        {
            case 0 or 1:
                recoveryId = v;
                break;
            case 27 or 28:
                recoveryId = (byte)(v - 27);
                break;
            default:
                return false;
        }

        return TryCreate(sig65[..32], sig65[32..64], recoveryId, out signature);
    }

    /// <summary>Parses 65 bytes r‖s‖v (see <see cref="TryParseRsv"/>).</summary>
    /// <exception cref="FormatException">The bytes are not a canonical signature; the message says why.</exception>
    public static EcdsaSignature ParseRsv(ReadOnlySpan<byte> sig65)
    {
        if (TryParseRsv(sig65, out var signature))
        {
            return signature;
        }

        if (sig65.Length != RsvLength)
        {
            throw new FormatException($"A signature is 65 bytes (r‖s‖v); got {sig65.Length}.");
        }

        var v = sig65[64];
        if (v is not (0 or 1 or 27 or 28))
        {
            throw new FormatException($"Signature v must be 0, 1, 27 or 28; got {v}.");
        }

        if (!Secp256k1Scalars.IsInRange(sig65[..32]))
        {
            throw new FormatException("Signature r is zero or not below the curve order.");
        }

        if (!Secp256k1Scalars.IsInRange(sig65[32..64]))
        {
            throw new FormatException("Signature s is zero or not below the curve order.");
        }

        throw new FormatException("Signature s is in the upper half of the curve order (malleable high-s form, EIP-2).");
    }

    /// <summary>The 65-byte r‖s‖v form with v = 27/28, as <c>eth_sign</c> and <c>eth_signTypedData_v4</c> return it.</summary>
    public byte[] ToRsv()
    {
        var rsv = new byte[RsvLength];
        WriteRsv(rsv);
        return rsv;
    }

    /// <summary>Writes r‖s‖v (v = 27/28) into <paramref name="destination"/> (at least 65 bytes).</summary>
    public void WriteRsv(Span<byte> destination)
    {
        if (destination.Length < RsvLength)
        {
            throw new ArgumentException("Destination must hold 65 bytes.", nameof(destination));
        }

        RS.CopyTo(destination);
        destination[64] = V;
    }

    /// <summary>Recovers the signer's address from the 32-byte hash that was signed.</summary>
    public bool TryRecoverAddress(ReadOnlySpan<byte> hash32, out Address address) =>
        TryRecoverAddress(Secp256k1Backends.Active, hash32, out address);

    /// <summary>Recovers the signer's address from the 32-byte hash that was signed.</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    /// <exception cref="CryptographicException">No public key matches this signature and hash.</exception>
    public Address RecoverAddress(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"The hash must be 32 bytes; got {hash32.Length}.", nameof(hash32));
        }

        if (!TryRecoverAddress(hash32, out var address))
        {
            throw new CryptographicException("No public key can be recovered from this signature and hash.");
        }

        return address;
    }

    internal bool TryRecoverAddress(ISecp256k1Backend backend, ReadOnlySpan<byte> hash32, out Address address)
    {
        Span<byte> xy = stackalloc byte[64];
        if (!TryRecoverPublicKey(backend, hash32, xy))
        {
            address = default;
            return false;
        }

        address = Address.FromPublicKey(xy);
        return true;
    }

    internal bool TryRecoverPublicKey(ISecp256k1Backend backend, ReadOnlySpan<byte> hash32, Span<byte> publicKeyXy) =>
        hash32.Length == 32 && _rs is not null && backend.TryRecover(hash32, _rs, _recoveryId, publicKeyXy);

    /// <inheritdoc />
    public bool Equals(EcdsaSignature other) => _recoveryId == other._recoveryId && RS.SequenceEqual(other.RS);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EcdsaSignature other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(RS);
        hash.Add(_recoveryId);
        return hash.ToHashCode();
    }

    /// <summary>The 0x-prefixed hex of r‖s‖v (v = 27/28). A signature is public data.</summary>
    public override string ToString() => Hex.Encode(ToRsv());

    /// <summary>Equality of r, s and recovery id.</summary>
    public static bool operator ==(EcdsaSignature left, EcdsaSignature right) => left.Equals(right);

    /// <summary>Inequality of r, s or recovery id.</summary>
    public static bool operator !=(EcdsaSignature left, EcdsaSignature right) => !left.Equals(right);
}
