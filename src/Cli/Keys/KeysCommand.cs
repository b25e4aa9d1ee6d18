using System.CommandLine;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli;

/// <summary>
/// <c>l2pay keys new | address | import</c>: keys as plain key files (one 0x-hex key on one line)
/// or Web3 Secret Storage v3 keystores. Each verb prints one JSON object on stdout.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create, import and inspect signing keys (key files and v3 keystores)");
        keys.Subcommands.Add(CreateNew());
        keys.Subcommands.Add(CreateAddress());
        keys.Subcommands.Add(CreateImport());
        return keys;
    }

    private static Option<string> KdfOption()
    {
        var kdf = new Option<string>("--kdf")
        {
            Description = "Key derivation function of the keystore: scrypt (default) or pbkdf2",
            DefaultValueFactory = _ => "scrypt",
        };
        kdf.AcceptOnlyFromAmong("scrypt", "pbkdf2");
        return kdf;
    }

    private static Command CreateNew()
    {
        var keystore = new Option<string>("--keystore") { Description = "Keystore file to create (must not exist)", Required = true };
        var kdf = KdfOption();
        var command = new Command("new", "Generate a key and write it to a new encrypted keystore") { keystore, kdf };
        command.SetAction(parseResult => CliOutput.Run(() =>
        {
            var path = parseResult.GetValue(keystore)!;
            var kdfName = parseResult.GetValue(kdf)!;
            using var key = PrivateKey.Generate();
            WriteKeystore(key, path, kdfName);
            return CliOutput.WriteObject(("address", key.Address.ToString()), ("keystore", Path.GetFullPath(path)), ("kdf", kdfName));
        }));
        return command;
    }

    private static Command CreateAddress()
    {
        var keyFile = new Option<string>("--key-file") { Description = "Key file (0x-hex key on one line) or keystore", Required = true };
        var command = new Command("address", "Print the address of a key file or keystore") { keyFile };
        command.SetAction(parseResult => CliOutput.Run(() =>
        {
            using var key = KeyFile.Load(parseResult.GetValue(keyFile)!, KeystorePassword.ForReading);
            return CliOutput.WriteObject(("address", key.Address.ToString()));
        }));
        return command;
    }

    private static Command CreateImport()
    {
        var source = new Option<string>("--private-key-file") { Description = "Key file holding one 0x-hex private key", Required = true };
        var keystore = new Option<string>("--keystore") { Description = "Keystore file to create (must not exist)", Required = true };
        var kdf = KdfOption();
        var command = new Command("import", "Encrypt an existing private key into a new keystore") { source, keystore, kdf };
        command.SetAction(parseResult => CliOutput.Run(() =>
        {
            var path = parseResult.GetValue(keystore)!;
            var kdfName = parseResult.GetValue(kdf)!;
            using var key = KeyFile.Load(parseResult.GetValue(source)!, KeystorePassword.ForReading);
            WriteKeystore(key, path, kdfName);
            return CliOutput.WriteObject(("address", key.Address.ToString()), ("keystore", Path.GetFullPath(path)), ("kdf", kdfName));
        }));
        return command;
    }

    private static void WriteKeystore(PrivateKey key, string path, string kdfName)
    {
        if (File.Exists(path))
        {
            throw new IOException($"'{path}' exists already; a keystore is never overwritten.");
        }

        var options = new KeystoreOptions { Kdf = kdfName == "pbkdf2" ? KeystoreKdf.Pbkdf2 : KeystoreKdf.Scrypt };
        var json = Web3SecretStorage.Encrypt(key, KeystorePassword.ForWriting(), options);

        // CreateNew: never overwrite a key; owner-only permissions from the first byte on.
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, fileOptions);
        using var writer = new StreamWriter(stream);
        writer.Write(json);
        writer.Write('\n');
    }
}
