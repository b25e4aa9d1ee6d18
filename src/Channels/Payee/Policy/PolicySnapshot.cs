namespace Settlement.Channels.Payee.Policy;

/// <summary>Everything the planner decides from: the channels, the time, and the chain's time.</summary>
/// <param name="Channels">The channels the payee holds (open or closing; settled ones are left out by the reader).</param>
/// <param name="Now">The payee's clock (idle times are measured against the vouchers' receive times).</param>
/// <param name="ChainTime">The latest block's timestamp, unix seconds (close deadlines are in chain time).</param>
public sealed record PolicySnapshot(IReadOnlyList<PolicyChannel> Channels, DateTimeOffset Now, ulong ChainTime)
{
    /// <summary>The payee's stored close requests by channel (<see cref="RequestCloseAction"/>).</summary>
    public IReadOnlyDictionary<ChannelKey, CloseRequest> CloseRequests { get; init; } = new Dictionary<ChannelKey, CloseRequest>();
}
