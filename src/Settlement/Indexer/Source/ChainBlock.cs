namespace Settlement.Service.Indexer.Source;

/// <summary>A block header as the indexer needs it: number, hash and parent hash (0x lower-case hex).</summary>
public sealed record ChainBlock(ulong Number, string Hash, string ParentHash);
