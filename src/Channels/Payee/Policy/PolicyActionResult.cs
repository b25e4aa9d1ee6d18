namespace Settlement.Channels.Payee.Policy;

/// <summary>What executing one action did.</summary>
/// <param name="Action">The action.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">The contract error's name, or a short description of what was done.</param>
/// <param name="TransactionHashes">The mined transactions (none if nothing was mined).</param>
/// <param name="GasUsed">Gas of those transactions.</param>
public sealed record PolicyActionResult(PolicyAction Action, PolicyOutcome Outcome, string Detail, IReadOnlyList<byte[]> TransactionHashes, ulong GasUsed);
