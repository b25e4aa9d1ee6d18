using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Signing;

/// <summary>Both secp256k1 backends, by name, for theories that must hold on each.</summary>
internal static class Backends
{
    public const string Native = "libsecp256k1";
    public const string Managed = "BouncyCastle";

    public static TheoryData<string> Names => new() { Native, Managed };

    public static ISecp256k1Backend Get(string name) => name switch
    {
        // libsecp256k1 is installed by .ci/bootstrap.sh; without it the cross-check cannot run.
        Native => Secp256k1Backends.Native
            ?? throw new InvalidOperationException("libsecp256k1.so.1 is not loadable on this machine; run .ci/bootstrap.sh as root."),
        Managed => Secp256k1Backends.BouncyCastle,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
