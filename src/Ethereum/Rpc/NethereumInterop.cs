using System.Text.Json;
using Nethereum.JsonRpc.Client;
using Newtonsoft.Json.Linq;
using NethereumReceipt = Nethereum.RPC.Eth.DTOs.TransactionReceipt;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// Our chain types from the ones an application that uses Nethereum receives: its receipts become our
/// <see cref="TransactionReceipt"/> and its node errors our <see cref="JsonRpcServerException"/> (with the
/// revert data), read by the same parsers as answers we fetch ourselves.
/// </summary>
public static class NethereumInterop
{
    /// <summary>Our receipt from Nethereum's.</summary>
    /// <exception cref="FormatException">The receipt lacks a field a mined receipt has.</exception>
    public static TransactionReceipt ToReceipt(NethereumReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        using var doc = JsonDocument.Parse(JObject.FromObject(receipt).ToString(Newtonsoft.Json.Formatting.None));
        return RpcJson.Receipt(doc.RootElement);
    }

    /// <summary>Our node error (code, message, revert data) from Nethereum's.</summary>
    public static JsonRpcServerException ToServerException(RpcResponseException exception, string? method = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var error = new JObject
        {
            ["code"] = exception.RpcError?.Code ?? 0,
            ["message"] = exception.RpcError?.Message ?? exception.Message,
        };
        if (exception.RpcError?.Data is { } data)
        {
            error["data"] = JToken.FromObject(data);
        }

        using var doc = JsonDocument.Parse(error.ToString(Newtonsoft.Json.Formatting.None));
        return JsonRpcServerException.FromError(method, doc.RootElement);
    }

    /// <summary>The timeout error for a transaction Nethereum sent (hash as hex) but that was not mined in time.</summary>
    public static TransactionReceiptTimeoutException ReceiptTimeout(string transactionHash, TimeSpan timeout) =>
        new(Encoding.Hex.Decode(transactionHash), timeout);
}
