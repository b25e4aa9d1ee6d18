namespace Settlement.Channels.Payer.Closing;

/// <summary>Where a close stands after a call.</summary>
public enum CloseResult
{
    /// <summary>Settled on chain: both sides were paid.</summary>
    Settled = 0,

    /// <summary>A unilateral close started; settle after <see cref="CloseOutcome.Deadline"/>.</summary>
    Closing = 1,

    /// <summary>Settle was asked before the challenge period ended: nothing was sent.</summary>
    ChallengePeriodActive = 2,

    /// <summary>Settle was asked for a channel that is not closing: nothing was sent.</summary>
    NotClosing = 3,

    /// <summary>The payee's signature is not over this final state: nothing was sent.</summary>
    WrongPayeeSignature = 4,

    /// <summary>The channel was already settled.</summary>
    AlreadySettled = 5,

    /// <summary>The payee signed no close agreement (its reason is in <see cref="PayeeRefusedClose"/>): nothing was sent.</summary>
    PayeeRefused = 6,

    /// <summary>The payee does not ask to close this channel (<see cref="PayerChannel.CloseIfPayeeRequestsAsync"/>): nothing was sent.</summary>
    NotRequested = 7,
}
