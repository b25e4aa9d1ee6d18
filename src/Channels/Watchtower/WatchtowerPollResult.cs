namespace Settlement.Channels.Watchtower;

/// <summary>What one poll did.</summary>
/// <param name="BlocksScanned">Blocks whose events were read.</param>
/// <param name="Reorged">True if the chain under the checkpoint had changed and the watchtower rewound.</param>
/// <param name="Checkpoint">The checkpoint after the poll (null before any block was read).</param>
/// <param name="Sent">Transactions signed and sent (redeem or settle).</param>
/// <param name="Resent">Stored transactions sent again.</param>
public sealed record WatchtowerPollResult(ulong BlocksScanned, bool Reorged, BlockMark? Checkpoint, int Sent, int Resent);
