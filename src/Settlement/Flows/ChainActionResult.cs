namespace Settlement.Service.Flows;

/// <summary>The outcome of a chain step.</summary>
/// <param name="Status">Mined or reverted.</param>
/// <param name="TransactionHash">The transaction whose event the indexer must confirm (0x hex, lowercase); empty when nothing was mined.</param>
/// <param name="BlockNumber">The block that holds it (0 when nothing was mined).</param>
/// <param name="ChannelId">For funding: the channel (0x hex).</param>
/// <param name="Error">Why it reverted.</param>
public sealed record ChainActionResult(ChainActionStatus Status, string TransactionHash, ulong BlockNumber, string? ChannelId, string? Error);
