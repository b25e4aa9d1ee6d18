namespace Settlement.Channels.Payee;

/// <summary>Why the payee signed no close agreement.</summary>
public enum CloseAgreementRefusal
{
    /// <summary>The channel is on another chain or contract, or no confirmed channel with this id exists.</summary>
    UnknownChannel = 1,

    /// <summary>A unilateral close has started: the channel is closed by its challenge period, not by agreement.</summary>
    ChannelClosing = 2,

    /// <summary>The channel was settled on chain.</summary>
    ChannelSettled = 3,

    /// <summary>No payment in either direction: there is no state to agree on (the payer can close alone at no cost to the payee).</summary>
    NothingToClose = 4,

    /// <summary>
    /// A live agreement with other amounts exists (the state changed since it was signed): never two live agreements
    /// with different amounts. Ask again after it has expired.
    /// </summary>
    AgreementPending = 5,

    /// <summary>A voucher of the channel is being written: ask again (the agreement must cover the newest durable amount).</summary>
    WriteInFlight = 6,

    /// <summary>This engine holds no payee key, or not the key of the channel's payee.</summary>
    NotPayee = 7,

    /// <summary>The payee is shutting down.</summary>
    Unavailable = 8,
}
