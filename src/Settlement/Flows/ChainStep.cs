namespace Settlement.Service.Flows;

/// <summary>A flow's mined chain transaction, waiting for (or confirmed by) the indexer.</summary>
/// <param name="TransactionHash">The transaction (0x lower-case hex).</param>
/// <param name="BlockNumber">The block it was mined in (informative; the indexer decides confirmation).</param>
/// <param name="ChannelId">For a funding, the channel (0x hex); null for a burn.</param>
public sealed record ChainStep(string TransactionHash, ulong BlockNumber, string? ChannelId);
