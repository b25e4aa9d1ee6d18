namespace Settlement.Channels.Watchtower;

/// <summary>What the store did with a delegation write (decided under its write lock).</summary>
public enum DelegationWrite
{
    /// <summary>Stored as the newest voucher of the channel.</summary>
    Stored = 1,

    /// <summary>The identical amount is already held.</summary>
    Unchanged = 2,

    /// <summary>A larger amount is held: nothing written.</summary>
    NotNewer = 3,
}
