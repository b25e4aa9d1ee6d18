using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Watchtower;

/// <summary>Something an operator should know; kept in the store, one per channel, kind and amount.</summary>
/// <param name="ChannelId">The channel (all zero for chain-wide alerts).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Amount">The held voucher amount it concerns (0 when none).</param>
/// <param name="Deadline">The close deadline it concerns (0 when none).</param>
/// <param name="Detail">A sentence (no signature bytes).</param>
/// <param name="RaisedAt">When it was raised.</param>
public sealed record WatchtowerAlert(ChannelId ChannelId, WatchtowerAlertKind Kind, BigInteger Amount, ulong Deadline, string Detail, DateTimeOffset RaisedAt);
