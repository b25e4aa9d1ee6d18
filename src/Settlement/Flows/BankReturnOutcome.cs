namespace Settlement.Service.Flows;

/// <summary>What <see cref="SettlementFlows.RecordBankReturnAsync"/> did.</summary>
public enum BankReturnOutcome
{
    /// <summary>Recorded; the flow reversed it (or reported it) as far as it could.</summary>
    Recorded = 1,

    /// <summary>A return was recorded before: nothing changed.</summary>
    AlreadyRecorded,

    /// <summary>No flow with this id: nothing changed.</summary>
    NotFound,

    /// <summary>The flow's payment never completed at the bank (or the flow was refused): nothing to return; nothing changed.</summary>
    NotReturnable,
}
