using System.Numerics;

namespace Settlement.Channels.Payee;

/// <summary>
/// A cooperative close the payee signed (EIP-712 <c>CooperativeClose</c>, docs/protocol.md "Close agreements: the client
/// rule"): the final totals in each direction, the last unix time the contract accepts it, and the payee's signature.
/// While it is live the engine accepts no voucher above <see cref="PayerToPayee"/>.
/// </summary>
/// <param name="Key">The channel.</param>
/// <param name="PayerToPayee">Final cumulative payer → payee amount (the payee's side: what it gets if the close lands).</param>
/// <param name="PayeeToPayer">Final cumulative payee → payer amount.</param>
/// <param name="Deadline">Last unix time (seconds, inclusive) at which the contract accepts the agreement.</param>
/// <param name="Signature">The payee's signature, 65 bytes r‖s‖v with v = 27/28.</param>
public sealed record CloseAgreement(ChannelKey Key, BigInteger PayerToPayee, BigInteger PayeeToPayer, ulong Deadline, byte[] Signature)
{
    /// <summary>
    /// True while the rule holds at <paramref name="nowSeconds"/> (unix seconds): until the deadline plus
    /// <paramref name="margin"/> for the difference between this clock and the chain's block timestamps.
    /// </summary>
    public bool IsLiveAt(ulong nowSeconds, TimeSpan margin) =>
        nowSeconds <= Deadline + (ulong)Math.Ceiling(Math.Max(0, margin.TotalSeconds));
}
