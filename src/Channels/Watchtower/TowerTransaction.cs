namespace Settlement.Channels.Watchtower;

/// <summary>A transaction the watchtower signed.</summary>
/// <param name="Hash">Its hash.</param>
/// <param name="Raw">Its signed bytes.</param>
public sealed record TowerTransaction(ReadOnlyMemory<byte> Hash, ReadOnlyMemory<byte> Raw);
