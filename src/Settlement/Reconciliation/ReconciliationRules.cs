namespace Settlement.Service.Reconciliation;

/// <summary>How one pairing matches: the amount tolerance, the date lag and the rules in priority order.</summary>
public sealed record ReconciliationRules
{
    /// <summary>The default order: exact reference, reference within tolerance, 1:N, N:1, amount without reference, netting within a side.</summary>
    public static IReadOnlyList<MatchRule> DefaultOrder { get; } =
    [
        MatchRule.ExactReference,
        MatchRule.ReferenceWithinTolerance,
        MatchRule.OneToMany,
        MatchRule.ManyToOne,
        MatchRule.AmountWithoutReference,
        MatchRule.NetWithinSide,
    ];

    /// <summary>Largest absolute difference, in base units, that still matches (inclusive); 0 = exact amounts only. Not negative.</summary>
    public long AmountTolerance { get; init; }

    /// <summary>Largest time between matched records (inclusive). Not negative. Default three days (a bank's value-date lag).</summary>
    public TimeSpan MaxDateLag { get; init; } = TimeSpan.FromDays(3);

    /// <summary>The rules, highest priority first; each at most once. Default <see cref="DefaultOrder"/>.</summary>
    public IReadOnlyList<MatchRule> Order { get; init; } = DefaultOrder;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    /// <exception cref="ArgumentException">A negative tolerance or lag, or a rule listed twice or undefined.</exception>
    public void Validate()
    {
        if (AmountTolerance < 0)
        {
            throw new ArgumentException($"{nameof(AmountTolerance)} must not be negative (was {AmountTolerance}).", nameof(AmountTolerance));
        }

        if (MaxDateLag < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(MaxDateLag)} must not be negative (was {MaxDateLag}).", nameof(MaxDateLag));
        }

        ArgumentNullException.ThrowIfNull(Order);
        var seen = new HashSet<MatchRule>();
        foreach (var rule in Order)
        {
            if (!Enum.IsDefined(rule) || !seen.Add(rule))
            {
                throw new ArgumentException($"{nameof(Order)} lists {rule} twice or it is not a rule.", nameof(Order));
            }
        }
    }
}
