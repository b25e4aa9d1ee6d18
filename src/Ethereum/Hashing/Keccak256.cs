using Org.BouncyCastle.Crypto.Digests;

namespace Settlement.Ethereum.Hashing;

/// <summary>
/// Keccak-256 as Ethereum uses it (the original Keccak padding, not NIST SHA3-256).
/// </summary>
public static class Keccak256
{
    /// <summary>Length of a digest in bytes.</summary>
    public const int HashLength = 32;

    [ThreadStatic]
    private static KeccakDigest? t_digest;

    /// <summary>Hashes <paramref name="data"/> and returns a new 32-byte array.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[HashLength];
        Hash(data, output);
        return output;
    }

    /// <summary>Hashes <paramref name="data"/> into <paramref name="destination"/> (at least 32 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashLength)
        {
            throw new ArgumentException("Destination must hold 32 bytes.", nameof(destination));
        }

        // One digest per thread: BouncyCastle digests are not thread-safe and are costly to allocate.
        // BouncyCastle.Cryptography 2.x takes spans, so nothing is copied.
        var digest = t_digest ??= new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(destination);
    }

    /// <summary>Hashes the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] HashUtf8(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Hash(System.Text.Encoding.UTF8.GetBytes(text));
    }
}
