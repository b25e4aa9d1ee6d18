using System.Security.Cryptography;
using Nethereum.KeyStore.Crypto;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Salt and IV for Nethereum's keystore services: the operating system's CSPRNG, or fixed values
/// when a published vector is being reproduced (<see cref="KeystoreOptions"/>).
/// </summary>
internal sealed class KeystoreRandomBytes(byte[]? salt, byte[]? iv) : IRandomBytesGenerator
{
    /// <inheritdoc />
    public byte[] GenerateRandomInitialisationVector() => iv is null ? RandomNumberGenerator.GetBytes(16) : (byte[])iv.Clone();

    /// <inheritdoc />
    public byte[] GenerateRandomSalt() => salt is null ? RandomNumberGenerator.GetBytes(32) : (byte[])salt.Clone();
}
