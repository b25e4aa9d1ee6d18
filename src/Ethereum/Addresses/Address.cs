using System.Diagnostics.CodeAnalysis;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Addresses;

/// <summary>
/// A 20-byte Ethereum account address. <see cref="ToString()"/> gives the EIP-55 checksummed form.
/// Parsing accepts all-lower or all-upper hex without a checksum, and mixed case only when the
/// EIP-55 checksum is right (a wrong checksum usually means a mistyped address).
/// </summary>
public readonly struct Address : IEquatable<Address>, ISpanFormattable
{
    /// <summary>Length of an address in bytes.</summary>
    public const int Length = 20;

    private readonly byte[]? _bytes;

    private Address(byte[] bytes) => _bytes = bytes;

    /// <summary>The zero address, 0x000…000.</summary>
    public static Address Zero { get; } = new(new byte[Length]);

    /// <summary>The 20 bytes of the address.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? Zero._bytes!;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"An address is 20 bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new Address(bytes.ToArray());
    }

    /// <summary>
    /// Derives the address of an uncompressed public key given as its 64-byte X‖Y (no 0x04 prefix):
    /// the last 20 bytes of Keccak-256 of the key.
    /// </summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKeyXy)
    {
        if (publicKeyXy.Length == 65 && publicKeyXy[0] == 0x04)
        {
            publicKeyXy = publicKeyXy[1..];
        }

        if (publicKeyXy.Length != 64)
        {
            throw new ArgumentException("A public key is 64 bytes (X‖Y) or 65 bytes with the 0x04 prefix.", nameof(publicKeyXy));
        }

        Span<byte> hash = stackalloc byte[Keccak256.HashLength];
        Keccak256.Hash(publicKeyXy, hash);
        return new Address(hash[12..].ToArray());
    }

    /// <summary>Parses a 0x-prefixed 40-digit hex address, enforcing EIP-55 on mixed case.</summary>
    /// <exception cref="FormatException">Not an address, or a mixed-case address with a bad checksum.</exception>
    public static Address Parse(string text)
    {
        if (!TryParse(text, out var address, out var error))
        {
            throw new FormatException(error);
        }

        return address;
    }

    /// <summary>Parses an address without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Address address) =>
        TryParse(text, out address, out _);

    private static bool TryParse(string? text, out Address address, out string error)
    {
        address = default;
        if (text is null)
        {
            error = "Address is null.";
            return false;
        }

        if (!Hex.HasPrefix(text) || text.Length != 42)
        {
            error = $"An address is 0x followed by 40 hex digits; got {text.Length} characters.";
            return false;
        }

        if (!Hex.TryDecode(text, out var bytes))
        {
            error = "Address contains a character that is not a hex digit.";
            return false;
        }

        var digits = text.AsSpan(2);
        var hasLower = digits.ContainsAny("abcdef");
        var hasUpper = digits.ContainsAny("ABCDEF");
        var candidate = new Address(bytes);
        if (hasLower && hasUpper && !candidate.ToString().AsSpan(2).SequenceEqual(digits))
        {
            error = $"Address '{text}' has mixed case but its EIP-55 checksum is wrong (expected {candidate}).";
            return false;
        }

        address = candidate;
        error = string.Empty;
        return true;
    }

    /// <summary>The EIP-55 checksummed, 0x-prefixed form.</summary>
    public override string ToString()
    {
        Span<char> chars = stackalloc char[42];
        TryFormat(chars, out _, default, null);
        return new string(chars);
    }

    /// <summary>The all-lower-case 0x-prefixed form, as JSON-RPC and typed data hashing use it.</summary>
    public string ToLowerHex() => Hex.Encode(Bytes);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < 42)
        {
            charsWritten = 0;
            return false;
        }

        // EIP-55: hash the lower-case hex; a letter is upper-cased when its nibble of the hash is >= 8.
        Span<byte> ascii = stackalloc byte[40];
        const string Digits = "0123456789abcdef";
        var bytes = Bytes;
        for (var i = 0; i < Length; i++)
        {
            ascii[2 * i] = (byte)Digits[bytes[i] >> 4];
            ascii[(2 * i) + 1] = (byte)Digits[bytes[i] & 0xF];
        }

        Span<byte> hash = stackalloc byte[Keccak256.HashLength];
        Keccak256.Hash(ascii, hash);
        destination[0] = '0';
        destination[1] = 'x';
        for (var i = 0; i < 40; i++)
        {
            var c = (char)ascii[i];
            var nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0xF;
            destination[i + 2] = c >= 'a' && nibble >= 8 ? char.ToUpperInvariant(c) : c;
        }

        charsWritten = 42;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Address other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Equality by bytes.</summary>
    public static bool operator ==(Address left, Address right) => left.Equals(right);

    /// <summary>Inequality by bytes.</summary>
    public static bool operator !=(Address left, Address right) => !left.Equals(right);
}
