using System.Numerics;

namespace Settlement.Channels.Payer.Metering;

/// <summary>How a <see cref="UsageMeter"/> pays.</summary>
public sealed class MeterOptions
{
    /// <summary>The price per unit (or per second, or per byte).</summary>
    public required MeterPrice Price { get; init; }

    /// <summary>
    /// The most the payer may owe for usage before paying (the credit the payee extends); 0 pays with every use.
    /// </summary>
    public BigInteger MaxUnpaidCredit { get; init; }

    /// <summary>How far ahead of usage the payer pays when it pays (prepayment, fewer vouchers); 0 pays exactly what is due.</summary>
    public BigInteger PayAhead { get; init; }

    /// <summary>When the channel's remaining deposit falls below this, <see cref="OnLowBalance"/> is called (once per crossing).</summary>
    public BigInteger LowBalanceThreshold { get; init; }

    /// <summary>Called when the remaining deposit falls below <see cref="LowBalanceThreshold"/> (e.g. to top up from the bank).</summary>
    public Func<LowBalance, CancellationToken, Task>? OnLowBalance { get; init; }

    /// <summary>
    /// The meter's name within its channel: a durable meter (<see cref="UsageMeter.OpenAsync"/>) keeps its totals in the
    /// payer store under it. Default <c>meter</c>.
    /// </summary>
    public string Name { get; init; } = "meter";

    /// <summary>The clock of time meters.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
