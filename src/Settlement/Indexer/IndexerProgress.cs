namespace Settlement.Service.Indexer;

/// <summary>Progress of a long indexer run (reported after every poll).</summary>
/// <param name="CurrentBlock">The checkpoint block (null before the first one).</param>
/// <param name="Head">The node's head block.</param>
/// <param name="SafeHead">The newest block with enough confirmations.</param>
/// <param name="BlocksIndexed">Blocks indexed in this run.</param>
/// <param name="EventsBooked">Events booked in this run.</param>
/// <param name="EventsPerSecond">Events booked per second of this run so far.</param>
/// <param name="BlockRange">The current <c>eth_getLogs</c> range.</param>
public sealed record IndexerProgress(ulong? CurrentBlock, ulong Head, ulong? SafeHead, long BlocksIndexed, long EventsBooked, double EventsPerSecond, int BlockRange);
