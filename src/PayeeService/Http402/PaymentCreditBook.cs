using System.Collections.Concurrent;
using System.Numerics;
using Settlement.Channels.Payee;

namespace Settlement.PayeeService.Http402;

/// <summary>
/// Each channel's credit with the priced routes and the cumulative amounts that already paid for a request. The
/// credit is what the payee engine has stored for the channel (<c>paid</c>, durable) above its amount when this
/// process first saw the channel, minus what requests and response bytes were charged since; negative means owed by
/// a per-byte response. Every cumulative amount pays for one request at most, so a copied voucher buys nothing; an
/// older voucher that a concurrent, larger one overtook still pays for its own request out of the credit the larger
/// one brought. Amounts at or below the stored amount at first sight never pay. Held in memory: after a restart a
/// channel starts again at zero credit, so a payer loses at most what it had paid ahead and the payee at most one
/// response's unpaid allowance.
/// </summary>
internal sealed class PaymentCreditBook
{
    /// <summary>How many claimed amounts a channel remembers; older ones are folded into its floor.</summary>
    internal const int MaxClaims = 4096;

    private readonly ConcurrentDictionary<ChannelKey, Entry> _entries = new();

    /// <summary>The credit of a channel whose stored amount is <paramref name="paid"/> (0 if unseen).</summary>
    public BigInteger Credit(ChannelKey key, BigInteger paid)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return BigInteger.Zero;
        }

        lock (entry)
        {
            return entry.Credit(paid);
        }
    }

    /// <summary>
    /// Starts tracking a channel, if not yet, with <paramref name="paid"/> (the amount stored now) as its baseline:
    /// amounts at or below it never pay and it is not credit.
    /// </summary>
    public void Open(ChannelKey key, Func<BigInteger> paid) => _entries.GetOrAdd(key, static (_, f) => new Entry(f()), paid);

    /// <summary>
    /// Claims <paramref name="cumulative"/> for one request and charges <paramref name="price"/> if the credit (with
    /// <paramref name="paid"/> stored) covers it, all at once. A claimed amount stays claimed even when the credit
    /// falls short (what it added stays as credit).
    /// </summary>
    public PaymentClaim Claim(ChannelKey key, BigInteger cumulative, BigInteger paid, BigInteger price)
    {
        var entry = _entries.GetOrAdd(key, static (_, p) => new Entry(p), paid);
        lock (entry)
        {
            if (cumulative <= entry.Floor || !entry.Claimed.Add(cumulative))
            {
                return new PaymentClaim(PaymentClaimStatus.Reused, entry.Credit(paid), BigInteger.Zero);
            }

            if (entry.Claimed.Count > MaxClaims)
            {
                var oldest = entry.Claimed.Order().Take(MaxClaims / 2).ToArray();
                entry.Claimed.ExceptWith(oldest);
                entry.Floor = oldest[^1];
            }

            var credit = entry.Credit(paid);
            if (credit >= price)
            {
                entry.Charged += price;
                return new PaymentClaim(PaymentClaimStatus.Charged, credit - price, BigInteger.Zero);
            }

            return new PaymentClaim(PaymentClaimStatus.Insufficient, credit, price - credit);
        }
    }

    /// <summary>
    /// Charges <paramref name="amount"/> unless that would take the credit (with <paramref name="paid"/> stored) below
    /// −<paramref name="maxUnpaid"/>; then nothing is charged and false is returned.
    /// </summary>
    public bool TryCharge(ChannelKey key, BigInteger amount, BigInteger paid, BigInteger maxUnpaid)
    {
        var entry = _entries.GetOrAdd(key, static (_, p) => new Entry(p), paid);
        lock (entry)
        {
            if (entry.Credit(paid) - amount < -maxUnpaid)
            {
                return false;
            }

            entry.Charged += amount;
            return true;
        }
    }

    private sealed class Entry(BigInteger baseline)
    {
        /// <summary>The stored amount at first sight: not credit.</summary>
        public BigInteger Baseline { get; } = baseline;

        /// <summary>Everything charged since first sight.</summary>
        public BigInteger Charged { get; set; }

        /// <summary>Amounts at or below this never pay (the baseline, raised as old claims are forgotten).</summary>
        public BigInteger Floor { get; set; } = baseline;

        public HashSet<BigInteger> Claimed { get; } = [];

        public BigInteger Credit(BigInteger paid) => BigInteger.Max(paid, Baseline) - Baseline - Charged;
    }
}
