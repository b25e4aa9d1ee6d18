using System.Runtime.InteropServices;

namespace Settlement.Ethereum.Signing;

/// <summary>
/// P/Invoke declarations for libsecp256k1 (Debian libsecp256k1-1 0.2.0, built with the recovery
/// module). All signatures are blittable: opaque structs are passed as byte pointers of the sizes
/// the library documents (secp256k1_pubkey 64 bytes, secp256k1_ecdsa_recoverable_signature 65).
/// </summary>
internal static unsafe partial class LibSecp256k1Native
{
    /// <summary>The shared object's soname.</summary>
    public const string LibraryName = "libsecp256k1.so.1";

    /// <summary>SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY (both ignored by 0.2, harmless).</summary>
    public const uint ContextSignVerify = 0x0301;

    /// <summary>SECP256K1_EC_UNCOMPRESSED.</summary>
    public const uint EcUncompressed = 0x0002;

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_context_create")]
    public static partial nint ContextCreate(uint flags);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_context_randomize")]
    public static partial int ContextRandomize(nint context, byte* seed32);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ec_seckey_verify")]
    public static partial int SecretKeyVerify(nint context, byte* secretKey32);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ec_pubkey_create")]
    public static partial int PublicKeyCreate(nint context, byte* publicKey64, byte* secretKey32);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ec_pubkey_serialize")]
    public static partial int PublicKeySerialize(nint context, byte* output, nuint* outputLength, byte* publicKey64, uint flags);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ecdsa_sign_recoverable")]
    public static partial int SignRecoverable(nint context, byte* signature65, byte* hash32, byte* secretKey32, nint nonceFunction, nint nonceData);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ecdsa_recoverable_signature_serialize_compact")]
    public static partial int RecoverableSignatureSerializeCompact(nint context, byte* output64, int* recoveryId, byte* signature65);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ecdsa_recoverable_signature_parse_compact")]
    public static partial int RecoverableSignatureParseCompact(nint context, byte* signature65, byte* input64, int recoveryId);

    [LibraryImport(LibraryName, EntryPoint = "secp256k1_ecdsa_recover")]
    public static partial int Recover(nint context, byte* publicKey64, byte* signature65, byte* hash32);

    /// <summary>
    /// True when the library loads and exports every function used here (the recovery module is an
    /// optional build feature of libsecp256k1, so its exports are checked too).
    /// </summary>
    public static bool IsAvailable()
    {
        if (!NativeLibrary.TryLoad(LibraryName, typeof(LibSecp256k1Native).Assembly, null, out var handle))
        {
            return false;
        }

        string[] exports =
        [
            "secp256k1_context_create", "secp256k1_context_randomize", "secp256k1_ec_seckey_verify",
            "secp256k1_ec_pubkey_create", "secp256k1_ec_pubkey_serialize", "secp256k1_ecdsa_sign_recoverable",
            "secp256k1_ecdsa_recoverable_signature_serialize_compact",
            "secp256k1_ecdsa_recoverable_signature_parse_compact", "secp256k1_ecdsa_recover",
        ];
        foreach (var name in exports)
        {
            if (!NativeLibrary.TryGetExport(handle, name, out _))
            {
                return false;
            }
        }

        return true;
    }
}
