using Settlement.Ethereum.Rpc;

namespace Settlement.Cli.Demo;

/// <summary>The deadline the demo's close agreements carry: an hour after the chain's newest block.</summary>
internal static class DemoCloseDeadline
{
    /// <summary>Seconds a demo close agreement stays valid on chain.</summary>
    public const ulong ValiditySeconds = 3600;

    public static async Task<ulong> NextAsync(EthereumRpcClient rpc, CancellationToken ct)
    {
        var head = await rpc.GetBlockByNumberAsync(BlockParameter.Latest, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The node returned no latest block.");
        return head.Timestamp + ValiditySeconds;
    }
}
