namespace Settlement.Channels.Payee.Policy;

/// <summary>Redeem several channels of one token in one <c>redeemBatch</c> transaction, most urgent first.</summary>
/// <param name="Items">The channels, in the order chosen (at least one).</param>
/// <param name="EstimatedGas">Base gas + items × item gas, from the options.</param>
public sealed record BatchRedeemAction(IReadOnlyList<BatchItem> Items, long EstimatedGas) : PolicyAction
{
    /// <inheritdoc />
    public override IReadOnlyList<PolicyChannel> Channels => Items.Select(i => i.Channel).ToArray();
}
