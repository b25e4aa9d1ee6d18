using System.Text.Json;
using Nethereum.KeyStore.Model;

namespace Settlement.Ethereum.Keystore;

/// <summary>
/// Writes a keystore Nethereum encrypted in the field order our files have always had
/// (address, crypto{cipher, ciphertext, cipherparams, kdfparams, kdf, mac}, id, version), so files
/// written before and after the move to Nethereum look alike.
/// </summary>
internal static class KeystoreWriter
{
    public static string Write<T>(KeyStore<T> keystore, Guid? id, Action<Utf8JsonWriter, T> writeKdfParams)
        where T : KdfParams
    {
        var crypto = keystore.Crypto;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("address", keystore.Address);
            writer.WriteStartObject("crypto");
            writer.WriteString("cipher", crypto.Cipher);
            writer.WriteString("ciphertext", crypto.CipherText);
            writer.WriteStartObject("cipherparams");
            writer.WriteString("iv", crypto.CipherParams.Iv);
            writer.WriteEndObject();
            writer.WriteStartObject("kdfparams");
            writer.WriteNumber("dklen", crypto.Kdfparams.Dklen);
            writeKdfParams(writer, crypto.Kdfparams);
            writer.WriteString("salt", crypto.Kdfparams.Salt);
            writer.WriteEndObject();
            writer.WriteString("kdf", crypto.Kdf);
            writer.WriteString("mac", crypto.Mac);
            writer.WriteEndObject();
            writer.WriteString("id", id?.ToString("D") ?? keystore.Id);
            writer.WriteNumber("version", keystore.Version);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
