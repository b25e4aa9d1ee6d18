using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Signing;

/// <summary>
/// A secp256k1 private key. The 32 secret bytes live in a pinned array (the GC never copies them
/// elsewhere) that is zeroed on <see cref="Dispose"/>. The key never appears in
/// <see cref="ToString"/> or in exception messages; <see cref="CopySecretTo"/> is the only way out.
/// </summary>
public sealed class PrivateKey : IDisposable
{
    /// <summary>Length of a private key in bytes.</summary>
    public const int Length = 32;

    private readonly byte[] _secret;
    private readonly ISecp256k1Backend _backend;
    private PublicKey? _publicKey;
    private volatile bool _disposed;

    private PrivateKey(ReadOnlySpan<byte> key32, ISecp256k1Backend backend)
    {
        _secret = GC.AllocateArray<byte>(Length, pinned: true);
        key32.CopyTo(_secret);
        _backend = backend;
    }

    /// <summary>The public key (derived once, then cached).</summary>
    public PublicKey PublicKey
    {
        get
        {
            if (_publicKey is { } cached)
            {
                return cached;
            }

            ThrowIfDisposed();
            var xy = new byte[64];
            _backend.DerivePublicKey(_secret, xy);
            return _publicKey = new PublicKey(xy);
        }
    }

    /// <summary>The Ethereum address of this key.</summary>
    public Address Address => PublicKey.Address;

    /// <summary>Creates a key from 32 big-endian bytes k with 0 &lt; k &lt; n.</summary>
    /// <exception cref="ArgumentException">Wrong length or out of range (the message never contains the bytes).</exception>
    public static PrivateKey Create(ReadOnlySpan<byte> key32) => Create(key32, Secp256k1Backends.Active);

    /// <summary>Creates a key without throwing; false for a wrong length or a value outside 1..n-1.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> key32, [NotNullWhen(true)] out PrivateKey? key) =>
        TryCreate(key32, Secp256k1Backends.Active, out key);

    /// <summary>Generates a new key from the operating system's cryptographic random source.</summary>
    public static PrivateKey Generate()
    {
        Span<byte> buffer = stackalloc byte[Length];
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(buffer);
                if (TryCreate(buffer, out var key))
                {
                    return key;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Parses 64 hex digits, with or without 0x and surrounding white space.</summary>
    /// <exception cref="FormatException">Not 32 bytes of hex, or out of range (the message never contains the text).</exception>
    public static PrivateKey ParseHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var text = hex.AsSpan().Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        if (text.Length != 2 * Length)
        {
            throw new FormatException($"A private key is 64 hex digits (optionally after 0x); got {text.Length} characters.");
        }

        Span<byte> buffer = stackalloc byte[Length];
        try
        {
            if (Convert.FromHexString(text, buffer, out _, out var written) != OperationStatus.Done || written != Length)
            {
                throw new FormatException("A private key contains a character that is not a hex digit.");
            }

            if (!TryCreate(buffer, out var key))
            {
                throw new FormatException("The private key is out of range (it must be greater than 0 and less than the curve order).");
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>
    /// Signs a 32-byte hash: RFC 6979 deterministic nonce (HMAC-SHA256), low-s (EIP-2), with the
    /// recovery id. The same key and hash always give the same signature.
    /// </summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public EcdsaSignature Sign(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"The hash to sign must be 32 bytes; got {hash32.Length}.", nameof(hash32));
        }

        ThrowIfDisposed();
        var rs = new byte[64];
        var recoveryId = _backend.Sign(_secret, hash32, rs);
        if (recoveryId > 1)
        {
            // R.x >= n: probability about 2^-127; Ethereum's v cannot express it.
            throw new CryptographicException("The signature's recovery id cannot be expressed as Ethereum's v.");
        }

        return new EcdsaSignature(rs, (byte)recoveryId);
    }

    /// <summary>Copies the 32 secret bytes into <paramref name="destination32"/> (e.g. to encrypt a keystore).</summary>
    public void CopySecretTo(Span<byte> destination32)
    {
        if (destination32.Length < Length)
        {
            throw new ArgumentException("Destination must hold 32 bytes.", nameof(destination32));
        }

        ThrowIfDisposed();
        _secret.CopyTo(destination32);
    }

    /// <summary>Zeroes the secret. Later use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_secret);
    }

    /// <summary>Shows the address only, never the key.</summary>
    public override string ToString() => _disposed ? "PrivateKey(disposed)" : $"PrivateKey({Address})";

    internal static PrivateKey Create(ReadOnlySpan<byte> key32, ISecp256k1Backend backend)
    {
        if (key32.Length != Length)
        {
            throw new ArgumentException($"A private key is 32 bytes; got {key32.Length}.", nameof(key32));
        }

        if (!TryCreate(key32, backend, out var key))
        {
            throw new ArgumentException("The private key is out of range (it must be greater than 0 and less than the curve order).", nameof(key32));
        }

        return key;
    }

    internal static bool TryCreate(ReadOnlySpan<byte> key32, ISecp256k1Backend backend, [NotNullWhen(true)] out PrivateKey? key)
    {
        if (!Secp256k1Scalars.IsInRange(key32))
        {
            key = null;
            return false;
        }

        key = new PrivateKey(key32, backend);
        return true;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
