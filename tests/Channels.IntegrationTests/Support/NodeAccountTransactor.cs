using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.IntegrationTests.Support;

/// <summary>
/// Sends transactions from one of the dev node's unlocked accounts (<c>eth_sendTransaction</c>); the node
/// estimates gas, so a reverting call is refused with its revert data before anything is mined.
/// </summary>
internal sealed class NodeAccountTransactor(EthereumRpcClient rpc, Address sender) : IContractTransactor
{
    public Address Sender { get; } = sender;

    public async Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default)
    {
        var tx = new JsonObject
        {
            ["from"] = Sender.ToLowerHex(),
            ["data"] = Hex.Encode(data.Span),
            ["value"] = "0x" + value.ToString("x", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0'),
        };
        if (to is { } target)
        {
            tx["to"] = target.ToLowerHex();
        }

        var hash = await rpc.RequestAsync("eth_sendTransaction", [tx], cancellationToken);
        return await rpc.WaitForReceiptAsync(Hex.Decode(hash.GetString()!), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5), cancellationToken);
    }
}
