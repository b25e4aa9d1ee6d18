using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Payee;

/// <summary>
/// Where the payee learns a channel it has not seen: its confirmed on-chain view (the chain implementation reads
/// state buried under the configured confirmations). Returns null if no such channel was opened.
/// </summary>
public interface IChannelViewSource
{
    /// <summary>The channel's confirmed view, or null if it does not exist at the confirmed height.</summary>
    Task<StoredChannel?> GetConfirmedAsync(ChannelKey key, CancellationToken cancellationToken = default);
}
