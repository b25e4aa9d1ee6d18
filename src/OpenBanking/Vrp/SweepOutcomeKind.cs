namespace Settlement.OpenBanking.Vrp;

/// <summary>What <see cref="IVrpSweeps.StartSweepAsync"/> did.</summary>
public enum SweepOutcomeKind
{
    /// <summary>A new sweep was saved and sent (its status may still be Pending after a transient failure).</summary>
    Started,

    /// <summary>The operation id was seen before: the existing sweep (nothing new was sent unless it was still Pending).</summary>
    Exists,

    /// <summary>Refused; nothing was paid (see <see cref="SweepOutcome.Refusal"/>).</summary>
    Refused,
}
