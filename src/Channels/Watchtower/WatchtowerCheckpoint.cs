namespace Settlement.Channels.Watchtower;

/// <summary>The newest block read and the recent blocks read before it (newest first), as the store holds them.</summary>
/// <param name="Head">The newest block whose events have been applied.</param>
/// <param name="Recent">Recent checkpoints, newest first (<see cref="Head"/> included).</param>
public sealed record WatchtowerCheckpoint(BlockMark Head, IReadOnlyList<BlockMark> Recent);
