namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// A channel the indexer saw opened: its parties and token (from <c>ChannelOpened</c>), and the payee's redeemed total
/// so far (derived from the booked redemptions, so a rollback of a redemption rolls it back too).
/// </summary>
/// <param name="ChannelId">The channel id (0x hex).</param>
/// <param name="Payer">The payer's address (0x hex).</param>
/// <param name="Payee">The payee's address (0x hex).</param>
/// <param name="Token">The token's address (0x hex; zero for ETH).</param>
/// <param name="OpenedBlock">The block that opened it.</param>
/// <param name="PayeeRedeemed">The payee's redeemed total (payer → payee vouchers) in base units.</param>
public sealed record IndexedChannel(string ChannelId, string Payer, string Payee, string Token, ulong OpenedBlock, UInt128 PayeeRedeemed = default);
