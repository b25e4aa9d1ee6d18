namespace Settlement.Channels.Watchtower;

/// <summary>Where a signed transaction is, as the node sees it now.</summary>
public enum TowerTransactionStatus
{
    /// <summary>The node does not know it (dropped, never received, or reorged out).</summary>
    Unknown = 0,

    /// <summary>Waiting in the node's pool.</summary>
    Pending = 1,

    /// <summary>Mined and succeeded.</summary>
    Mined = 2,

    /// <summary>Mined and reverted.</summary>
    Reverted = 3,
}
