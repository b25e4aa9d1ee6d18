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

    [ThreadStatic]
    private static byte[]? t_input;

    [ThreadStatic]
    private static byte[]? t_output;

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
        // Portable.BouncyCastle 1.8 takes arrays only, so spans go through a per-thread buffer.
        var digest = t_digest ??= new KeccakDigest(256);
        var input = t_input is { } buffer && buffer.Length >= data.Length
            ? buffer
            : t_input = new byte[Math.Max(256, data.Length)];
        data.CopyTo(input);
        digest.BlockUpdate(input, 0, data.Length);
        var output = t_output ??= new byte[HashLength];
        digest.DoFinal(output, 0);
        output.CopyTo(destination);
    }

    /// <summary>Hashes the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] HashUtf8(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Hash(System.Text.Encoding.UTF8.GetBytes(text));
    }
}
