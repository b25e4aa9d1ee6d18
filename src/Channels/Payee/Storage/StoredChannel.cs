namespace Settlement.Channels.Payee.Storage;

/// <summary>A channel's confirmed view as stored, with the block it was read at.</summary>
/// <param name="View">The view.</param>
/// <param name="BlockNumber">The confirmed block the view reflects.</param>
public sealed record StoredChannel(PayeeChannelView View, ulong BlockNumber);
