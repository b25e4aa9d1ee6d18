using System.Collections.Concurrent;

namespace Settlement.BankSandbox.Customer;

/// <summary>The simulated customer at <c>/as/authorize</c>: per-consent decisions and debtor account choices.</summary>
public sealed class CustomerSimulator
{
    private readonly ConcurrentDictionary<string, CustomerDecision> _decisions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _debtors = new(StringComparer.Ordinal);
    private volatile int _default = (int)CustomerDecision.Approve;

    /// <summary>The decision used when none was set for a consent and the request carries no <c>sandbox_decision</c>.</summary>
    public CustomerDecision DefaultDecision => (CustomerDecision)_default;

    /// <summary>Sets the decision for one consent.</summary>
    public void SetDecision(string consentId, CustomerDecision decision)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        _decisions[consentId] = decision;
    }

    /// <summary>Sets the default decision.</summary>
    public void SetDefaultDecision(CustomerDecision decision) => _default = (int)decision;

    /// <summary>The account the customer pays from when the consent names no DebtorAccount.</summary>
    public void SetDebtorAccount(string consentId, string identification)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentException.ThrowIfNullOrEmpty(identification);
        _debtors[consentId] = identification;
    }

    internal CustomerDecision? DecisionFor(string consentId) =>
        _decisions.TryGetValue(consentId, out var d) ? d : null;

    internal string? DebtorFor(string consentId) => _debtors.TryGetValue(consentId, out var d) ? d : null;
}
