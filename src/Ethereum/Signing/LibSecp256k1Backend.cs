using System.Security.Cryptography;

namespace Settlement.Ethereum.Signing;

/// <summary>
/// secp256k1 through the native libsecp256k1. One context is created and randomized (blinding
/// against side channels) once per process; after that the library only reads it, so it is safe to
/// use from many threads at once.
/// </summary>
internal sealed unsafe class LibSecp256k1Backend : ISecp256k1Backend
{
    private readonly nint _context;

    private LibSecp256k1Backend(nint context) => _context = context;

    /// <inheritdoc />
    public string Name => "libsecp256k1";

    /// <summary>The raw context handle (used by the benchmark baseline).</summary>
    internal nint Context => _context;

    /// <summary>Creates the backend, or returns null when the library is missing or incomplete.</summary>
    public static LibSecp256k1Backend? TryCreate()
    {
        try
        {
            if (!LibSecp256k1Native.IsAvailable())
            {
                return null;
            }

            var context = LibSecp256k1Native.ContextCreate(LibSecp256k1Native.ContextSignVerify);
            if (context == 0)
            {
                return null;
            }

            Span<byte> seed = stackalloc byte[32];
            RandomNumberGenerator.Fill(seed);
            fixed (byte* s = seed)
            {
                var ok = LibSecp256k1Native.ContextRandomize(context, s);
                CryptographicOperations.ZeroMemory(seed);
                if (ok != 1)
                {
                    return null;
                }
            }

            // The context lives as long as the process: there is one, and nothing frees it.
            return new LibSecp256k1Backend(context);
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public bool IsValidSecretKey(ReadOnlySpan<byte> secretKey)
    {
        fixed (byte* k = secretKey)
        {
            return LibSecp256k1Native.SecretKeyVerify(_context, k) == 1;
        }
    }

    /// <inheritdoc />
    public void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKeyXy)
    {
        byte* pub = stackalloc byte[64];
        byte* output = stackalloc byte[65];
        nuint length = 65;
        fixed (byte* k = secretKey)
        {
            if (LibSecp256k1Native.PublicKeyCreate(_context, pub, k) != 1)
            {
                throw new CryptographicException("The secret key is not valid.");
            }
        }

        LibSecp256k1Native.PublicKeySerialize(_context, output, &length, pub, LibSecp256k1Native.EcUncompressed);
        new ReadOnlySpan<byte>(output + 1, 64).CopyTo(publicKeyXy);
    }

    /// <inheritdoc />
    public int Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> hash, Span<byte> signatureRs)
    {
        byte* signature = stackalloc byte[65];
        int recoveryId;
        fixed (byte* k = secretKey)
        fixed (byte* h = hash)
        fixed (byte* output = signatureRs)
        {
            // Null nonce function = the library default, RFC 6979 with HMAC-SHA256. The library
            // always produces low-s signatures and the matching recovery id.
            if (LibSecp256k1Native.SignRecoverable(_context, signature, h, k, 0, 0) != 1)
            {
                throw new CryptographicException("Signing failed.");
            }

            LibSecp256k1Native.RecoverableSignatureSerializeCompact(_context, output, &recoveryId, signature);
        }

        return recoveryId;
    }

    /// <inheritdoc />
    public bool TryRecover(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signatureRs, int recoveryId, Span<byte> publicKeyXy)
    {
        if (hash.Length != 32 || signatureRs.Length != 64 || (uint)recoveryId > 3 || publicKeyXy.Length < 64)
        {
            return false;
        }

        byte* signature = stackalloc byte[65];
        byte* pub = stackalloc byte[64];
        byte* output = stackalloc byte[65];
        nuint length = 65;
        fixed (byte* h = hash)
        fixed (byte* input = signatureRs)
        {
            if (LibSecp256k1Native.RecoverableSignatureParseCompact(_context, signature, input, recoveryId) != 1
                || LibSecp256k1Native.Recover(_context, pub, signature, h) != 1)
            {
                return false;
            }
        }

        LibSecp256k1Native.PublicKeySerialize(_context, output, &length, pub, LibSecp256k1Native.EcUncompressed);
        new ReadOnlySpan<byte>(output + 1, 64).CopyTo(publicKeyXy);
        return true;
    }
}
