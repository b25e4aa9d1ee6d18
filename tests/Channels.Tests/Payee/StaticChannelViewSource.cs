using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Tests.Payee;

/// <summary>A view source backed by a dictionary; counts lookups.</summary>
internal sealed class StaticChannelViewSource : IChannelViewSource
{
    private readonly Dictionary<ChannelKey, StoredChannel> _channels = [];

    public int Lookups { get; private set; }

    public void Set(PayeeChannelView view, ulong block = 1)
    {
        lock (_channels)
        {
            _channels[view.Key] = new StoredChannel(view, block);
        }
    }

    public Task<StoredChannel?> GetConfirmedAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        lock (_channels)
        {
            Lookups++;
            return Task.FromResult(_channels.GetValueOrDefault(key));
        }
    }
}
