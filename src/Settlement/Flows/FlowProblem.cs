namespace Settlement.Service.Flows;

/// <summary>Why a flow stopped short of its goal: reported, never silent.</summary>
/// <param name="Code">A stable code (e.g. <c>bank-rejected</c>, <c>ledger-refused</c>, <c>chain-reverted</c>).</param>
/// <param name="Detail">What happened (never secrets).</param>
public sealed record FlowProblem(string Code, string Detail);
