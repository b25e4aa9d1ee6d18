using System.Diagnostics.CodeAnalysis;
using Settlement.Ethereum.Encoding;

namespace Settlement.Channels.Vouchers;

/// <summary>
/// The 32-byte id of a channel: <c>keccak256(abi.encode(payer, payee, token, challengePeriod, nonce))</c>
/// (docs/protocol.md, "Channel identity").
/// </summary>
public readonly struct ChannelId : IEquatable<ChannelId>
{
    /// <summary>Length of an id in bytes.</summary>
    public const int Length = 32;

    private readonly byte[]? _bytes;

    private ChannelId(byte[] bytes) => _bytes = bytes;

    /// <summary>The id's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Length];

    /// <summary>Copies 32 bytes into an id.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public static ChannelId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("A channel id is 32 bytes.", nameof(bytes));
        }

        return new ChannelId(bytes.ToArray());
    }

    /// <summary>Parses a 0x-prefixed (or bare) 64-digit hex id.</summary>
    /// <exception cref="FormatException">Not 32 bytes of hex.</exception>
    public static ChannelId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException("A channel id is 32 bytes of hex.");

    /// <summary>Parses a hex id without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ChannelId id)
    {
        id = default;
        if (!Hex.TryDecode(text, out var bytes) || bytes is null || bytes.Length != Length)
        {
            return false;
        }

        id = new ChannelId(bytes);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(ChannelId other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChannelId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>The id as 0x-prefixed lower-case hex.</summary>
    public override string ToString() => Hex.Encode(Bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(ChannelId left, ChannelId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ChannelId left, ChannelId right) => !left.Equals(right);
}
