namespace Settlement.Service.Flows;

/// <summary>The result of <see cref="SettlementFlows.StartRechargeAsync"/>.</summary>
/// <param name="Flow">The recharge now stored under the key (new or existing; a top-up whose bank step is a sweep), or null when refused before anything was stored.</param>
/// <param name="Created">True when this call created it; false for a repeat of the same request.</param>
/// <param name="Refusal">Why it was refused, or null.</param>
/// <param name="Detail">What was wrong, for a refusal.</param>
public sealed record RechargeStart(TopupFlow? Flow, bool Created, RechargeRefusal? Refusal, string? Detail)
{
    /// <summary>True when the request was accepted (created or an identical repeat).</summary>
    public bool Accepted => Refusal is null;
}
