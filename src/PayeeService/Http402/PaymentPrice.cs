using System.Numerics;

namespace Settlement.PayeeService.Http402;

/// <summary>
/// What a priced route costs, in the token's base units: <see cref="PerRequest"/> paid up front by every request (at
/// least 1, so a request always brings a new voucher and a copied one buys nothing), plus <see cref="PerByte"/> for
/// each response byte, charged as the body is written; a response may run up at most <see cref="MaxUnpaid"/> beyond
/// the channel's credit, the next request pays it.
/// </summary>
public sealed record PaymentPrice
{
    private PaymentPrice(BigInteger perRequest, BigInteger perByte, BigInteger maxUnpaid)
    {
        PerRequest = perRequest;
        PerByte = perByte;
        MaxUnpaid = maxUnpaid;
    }

    /// <summary>Paid up front by each request.</summary>
    public BigInteger PerRequest { get; }

    /// <summary>Charged per response byte (0: none).</summary>
    public BigInteger PerByte { get; }

    /// <summary>How far a response may take the channel's credit below zero before it is cut off.</summary>
    public BigInteger MaxUnpaid { get; }

    /// <summary>A price per request.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="price"/> is below 1.</exception>
    public static PaymentPrice ForRequest(BigInteger price) => ForBytes(price, BigInteger.Zero, BigInteger.Zero);

    /// <summary>A price per request plus a price per response byte.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An amount is out of range (the message says which).</exception>
    public static PaymentPrice ForBytes(BigInteger perRequest, BigInteger perByte, BigInteger maxUnpaid)
    {
        if (perRequest < BigInteger.One)
        {
            throw new ArgumentOutOfRangeException(nameof(perRequest), perRequest, "A priced request costs at least 1 base unit up front, so that each request brings a new voucher.");
        }

        if (perByte.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(perByte), perByte, "A price per byte is never negative.");
        }

        if (maxUnpaid.Sign < 0 || (perByte.Sign > 0 && maxUnpaid < perByte))
        {
            throw new ArgumentOutOfRangeException(nameof(maxUnpaid), maxUnpaid, "The unpaid allowance is never negative and covers at least one byte when bytes are priced.");
        }

        return new PaymentPrice(perRequest, perByte, maxUnpaid);
    }
}
