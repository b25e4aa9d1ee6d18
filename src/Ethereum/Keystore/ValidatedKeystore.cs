using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// A keystore whose shape and KDF costs <see cref="KeystoreReader"/> has checked, as the Nethereum
/// model and the Nethereum service that decrypts it.
/// </summary>
internal sealed class ValidatedKeystore
{
    private readonly Func<string, byte[]> _decrypt;

    private ValidatedKeystore(Address? address, Func<string, byte[]> decrypt)
    {
        Address = address;
        _decrypt = decrypt;
    }

    /// <summary>The address the file names, when it names one.</summary>
    public Address? Address { get; }

    public static ValidatedKeystore For<T>(KeyStoreServiceBase<T> service, KeyStore<T> model, Address? address)
        where T : KdfParams =>
        new(address, password => service.DecryptKeyStore(password, model));

    /// <summary>
    /// The 32 secret bytes (the caller zeroes them). Throws Nethereum's
    /// <see cref="Nethereum.KeyStore.Crypto.DecryptionException"/> when the MAC does not match.
    /// </summary>
    public byte[] DecryptSecret(string password) => _decrypt(password);
}
