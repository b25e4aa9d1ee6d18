using System.CommandLine;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.TypedData;

namespace Settlement.Cli.Eth;

/// <summary><c>l2pay eth recover-typed-data --typed-data FILE --signature 0x…</c> → <c>{"signer":"0x…"}</c>.</summary>
internal static class RecoverTypedDataCommand
{
    public static Command Create()
    {
        var typedDataFile = new Option<string>("--typed-data") { Description = "eth_signTypedData_v4 JSON document", Required = true };
        var signatureOption = new Option<string>("--signature") { Description = "65-byte r‖s‖v signature as 0x-hex (v = 27/28 or 0/1)", Required = true };
        var command = new Command("recover-typed-data", "Recover the address that signed an EIP-712 typed-data document")
        {
            typedDataFile,
            signatureOption,
        };
        command.SetAction(parseResult => CliOutput.Run(() =>
        {
            var text = parseResult.GetValue(signatureOption)!;
            if (!Hex.HasPrefix(text) || !Hex.TryDecode(text, out var signature) || signature.Length != 65)
            {
                throw new FormatException("The signature must be 0x followed by 130 hex digits (r‖s‖v).");
            }

            var typedData = TypedData.Parse(File.ReadAllText(parseResult.GetValue(typedDataFile)!));
            return CliOutput.WriteObject(("signer", typedData.RecoverSigner(signature).ToString()));
        }));
        return command;
    }
}
