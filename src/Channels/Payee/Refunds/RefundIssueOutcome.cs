namespace Settlement.Channels.Payee.Refunds;

/// <summary>The result of <see cref="PayeeEngine.IssueRefundAsync"/>: <see cref="RefundIssued"/> or <see cref="RefundRefused"/>.</summary>
public abstract record RefundIssueOutcome;
