using Settlement.Channels.Contracts.Events;
using Settlement.Service.Indexer.Storage;

namespace Settlement.Service.Indexer.Mapping;

/// <summary>A decoded log the indexer books: its key, block, kind and either the channel event or the token transfer.</summary>
internal sealed record ChainLog(ChainEventKey Key, ulong BlockNumber, string BlockHash, ChainEventKind Kind, ChannelEvent? Channel, Erc20Transfer? Token);
