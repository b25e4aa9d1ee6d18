namespace Settlement.OpenBanking.Pis;

/// <summary>A domestic payment consent as the bank reported it (either spec version).</summary>
public sealed record PaymentConsent(string ConsentId, ConsentStatus Status, Money Amount, AccountIdentification Creditor,
    string InstructionIdentification, DateTimeOffset? StatusUpdated)
{
    /// <summary><c>Data.ReadRefundAccount</c> as the bank echoed it (true for <c>Yes</c>).</summary>
    public bool ReadRefundAccount { get; init; }

    /// <summary><c>Data.CutOffDateTime</c>: the consent cannot be used for a payment after it.</summary>
    public DateTimeOffset? CutOff { get; init; }

    /// <summary><c>Data.Authorisation.CompletionDateTime</c>: the authorisation must be complete by then.</summary>
    public DateTimeOffset? AuthorisationCompletion { get; init; }

    /// <summary><c>Data.Debtor</c>, when the bank says which account pays.</summary>
    public AccountIdentification? Debtor { get; init; }

    /// <summary><c>Data.StatusReason[]</c> (v4.0).</summary>
    public IReadOnlyList<StatusReason> StatusReasons { get; init; } = [];

    /// <summary><c>Data.Charges[]</c>.</summary>
    public IReadOnlyList<PaymentCharge> Charges { get; init; } = [];

    /// <summary><c>Data.ExpectedExecutionDateTime</c>.</summary>
    public DateTimeOffset? ExpectedExecution { get; init; }

    /// <summary><c>Data.ExpectedSettlementDateTime</c>.</summary>
    public DateTimeOffset? ExpectedSettlement { get; init; }

    /// <summary>
    /// Why the consent may not be used for a payment at <paramref name="now"/>, or null: its cut-off or the
    /// authorisation completion time it carries has passed (OBIE: a consent past its lifetime is not used).
    /// </summary>
    public string? LifetimeProblem(DateTimeOffset now)
    {
        if (CutOff is { } cut && now > cut)
        {
            return $"the consent's CutOffDateTime {cut:O} has passed";
        }

        return AuthorisationCompletion is { } done && now > done && Status.Kind == ConsentStatusKind.AwaitingAuthorisation
            ? $"the consent's Authorisation.CompletionDateTime {done:O} passed before it was authorised"
            : null;
    }
}
