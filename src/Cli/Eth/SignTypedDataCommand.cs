using System.CommandLine;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.TypedData;

namespace Settlement.Cli.Eth;

/// <summary>
/// <c>l2pay eth sign-typed-data --private-key-file F --typed-data FILE</c> →
/// <c>{"digest":"0x…","signature":"0x…","signer":"0x…"}</c>; the signature is r‖s‖v with v = 27/28,
/// as <c>eth_signTypedData_v4</c> returns it.
/// </summary>
internal static class SignTypedDataCommand
{
    public static Command Create()
    {
        var keyFile = new Option<string>("--private-key-file")
        {
            Description = "Key file (one 0x-hex key on one line) or v3 keystore (password from L2PAY_KEYSTORE_PASSWORD or a prompt)",
            Required = true,
        };
        var typedDataFile = new Option<string>("--typed-data") { Description = "eth_signTypedData_v4 JSON document", Required = true };
        var command = new Command("sign-typed-data", "Sign an EIP-712 typed-data document") { keyFile, typedDataFile };
        command.SetAction(parseResult => CliOutput.Run(() =>
        {
            var typedData = TypedData.Parse(File.ReadAllText(parseResult.GetValue(typedDataFile)!));
            using var key = KeyFile.Load(parseResult.GetValue(keyFile)!, KeystorePassword.ForReading);
            var signature = typedData.Sign(key);
            return CliOutput.WriteObject(
                ("digest", Hex.Encode(typedData.Hash())),
                ("signature", Hex.Encode(signature.ToRsv())),
                ("signer", key.Address.ToString()));
        }));
        return command;
    }
}
