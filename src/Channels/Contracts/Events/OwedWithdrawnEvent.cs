using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>OwedWithdrawn</c>: <see cref="Owner"/> took its deferred payouts, sent to <see cref="To"/>.</summary>
public sealed record OwedWithdrawnEvent(Address Owner, Address Token, Address To, BigInteger Amount) : ChannelEvent;
