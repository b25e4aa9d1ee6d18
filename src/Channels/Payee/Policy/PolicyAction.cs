using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee.Policy;

/// <summary>One transaction the planner wants sent, with the reason. Each channel appears in at most one action of a plan.</summary>
public abstract record PolicyAction
{
    /// <summary>The channels this action touches, in order.</summary>
    public abstract IReadOnlyList<PolicyChannel> Channels { get; }

    /// <summary>The token of the channels (one per action).</summary>
    public Address Token => Channels[0].View.Parameters.Token;
}
