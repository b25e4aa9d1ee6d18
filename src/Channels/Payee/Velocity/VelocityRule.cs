namespace Settlement.Channels.Payee.Velocity;

/// <summary>A velocity rule. Values are stored: never renumber.</summary>
public enum VelocityRule : byte
{
    /// <summary>Vouchers per second in one channel.</summary>
    ChannelPaymentsPerSecond = 1,

    /// <summary>Value per minute in one channel, in base units.</summary>
    ChannelValuePerMinute = 2,

    /// <summary>Vouchers per second across all of one payer's channels.</summary>
    PayerPaymentsPerSecond = 3,

    /// <summary>Value per minute across all of one payer's channels, in base units.</summary>
    PayerValuePerMinute = 4,
}
