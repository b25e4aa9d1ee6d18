namespace Settlement.Service.Flows.Chain;

/// <summary>
/// A signed transaction stored before it was broadcast, under the step key that caused it. After a restart the very
/// same bytes are sent again (the node ignores a duplicate; a mined one has a receipt), so a step never signs twice.
/// </summary>
/// <param name="StepKey">The flow step (e.g. <c>topup/…/fund/mint</c>); one transaction per key, ever.</param>
/// <param name="Sender">The signing account (0x hex, lowercase).</param>
/// <param name="Nonce">Its nonce.</param>
/// <param name="TransactionHash">0x hex, lowercase.</param>
/// <param name="RawTransaction">The signed bytes.</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="MinedBlock">The block that holds it, once a receipt was seen.</param>
public sealed record ChainOutboxEntry(
    string StepKey,
    string Sender,
    ulong Nonce,
    string TransactionHash,
    ReadOnlyMemory<byte> RawTransaction,
    DateTimeOffset CreatedAt,
    ulong? MinedBlock = null);
