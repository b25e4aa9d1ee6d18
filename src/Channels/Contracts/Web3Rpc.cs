using Nethereum.Web3;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Contracts;

/// <summary>Our RPC client over an application's <see cref="IWeb3"/>, checked against the expected chain first.</summary>
internal static class Web3Rpc
{
    /// <exception cref="ChainIdMismatchException">The node behind <paramref name="web3"/> serves another chain.</exception>
    public static async Task<EthereumRpcClient> ConnectAsync(IWeb3 web3, ulong chainId, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(web3);
        var rpc = new EthereumRpcClient(web3.Client, new EthereumRpcOptions { ChainId = chainId }, timeProvider: timeProvider);
        await rpc.ConnectAsync(cancellationToken).ConfigureAwait(false);
        return rpc;
    }
}
