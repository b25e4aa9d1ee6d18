using System.CommandLine;
using System.Text.Json;
using Settlement.Ethereum.Keystore;
using Settlement.Ethereum.Transactions;

namespace Settlement.Cli.Eth;

/// <summary>
/// <c>l2pay eth sign-tx --private-key-file F --tx FILE</c>: signs a JSON-RPC transaction object
/// (type 2 or legacy; quantities as decimal strings, JSON numbers or 0x-hex) offline and prints
/// <c>{"raw":"0x…","hash":"0x…"}</c>, ready for <c>eth_sendRawTransaction</c>.
/// </summary>
internal static class SignTxCommand
{
    public static Command Create()
    {
        var keyFile = new Option<string>("--private-key-file")
        {
            Description = "Key file (one 0x-hex key on one line) or v3 keystore (password from L2PAY_KEYSTORE_PASSWORD or a prompt)",
            Required = true,
        };
        var txFile = new Option<string>("--tx")
        {
            Description = "JSON-RPC transaction object: type, chainId, nonce, to, value, data|input, gas, maxFeePerGas, maxPriorityFeePerGas | gasPrice, accessList",
            Required = true,
        };
        var command = new Command("sign-tx", "Sign a transaction (EIP-1559 or legacy EIP-155) offline") { keyFile, txFile };
        command.SetAction(parseResult => CliOutput.Run(() =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(parseResult.GetValue(txFile)!));
            var tx = TransactionJson.Parse(doc.RootElement, out var from);
            using var key = KeyFile.Load(parseResult.GetValue(keyFile)!, KeystorePassword.ForReading);
            if (from is { } expected && expected != key.Address)
            {
                return CliOutput.Fail($"The transaction's 'from' is {expected}, but the key belongs to {key.Address}.");
            }

            var signed = tx.Sign(key);
            return CliOutput.WriteObject(("raw", signed.RawHex), ("hash", signed.HashHex));
        }));
        return command;
    }
}
