namespace Settlement.Channels.Payer.Metering;

/// <summary>Where a meter stands after recording usage.</summary>
public enum MeterStatus
{
    /// <summary>Usage recorded within the unpaid credit; nothing paid now.</summary>
    Recorded = 0,

    /// <summary>Usage recorded and a voucher signed (and delivered or queued).</summary>
    Paid = 1,

    /// <summary>The deposit cannot cover the usage: service should stop until a top-up (the usage was not recorded, or for time only what the deposit covers).</summary>
    Paused = 2,

    /// <summary>A voucher was signed but the payee refused it (see <see cref="MeterOutcome.Payment"/>).</summary>
    Rejected = 3,
}
