using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Contracts.Events;

/// <summary><c>ChannelOpened</c>: a channel exists with <see cref="Deposit"/> (received) on the payer side.</summary>
public sealed record ChannelOpenedEvent(ChannelId ChannelId, ChannelParameters Channel, Address Funder, BigInteger Deposit) : ChannelEvent;
