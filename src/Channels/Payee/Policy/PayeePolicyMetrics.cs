using System.Diagnostics.Metrics;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// The policy's metrics on the <c>Settlement.Payee.Policy</c> meter: actions by kind and outcome, batch sizes and gas.
/// </summary>
public sealed class PayeePolicyMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Settlement.Payee.Policy";

    private readonly Meter _meter;
    private readonly Counter<long> _actions;
    private readonly Histogram<int> _batchItems;
    private readonly Counter<long> _gas;

    /// <summary>Creates the instruments (through <paramref name="meterFactory"/> when given, as DI does).</summary>
    public PayeePolicyMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _actions = _meter.CreateCounter<long>("payee.policy.actions", "{action}", "Policy actions executed, by kind and outcome.");
        _batchItems = _meter.CreateHistogram<int>("payee.policy.batch.items", "{channel}", "Channels per redeemBatch transaction sent.");
        _gas = _meter.CreateCounter<long>("payee.policy.gas", "{gas}", "Gas used by the policy's transactions.");
    }

    internal void Record(PolicyActionResult result)
    {
        _actions.Add(
            1,
            new KeyValuePair<string, object?>("kind", KindOf(result.Action)),
            new KeyValuePair<string, object?>("outcome", result.Outcome.ToString()));
        if (result.Action is BatchRedeemAction batch && result.Outcome == PolicyOutcome.Done)
        {
            _batchItems.Record(batch.Items.Count);
        }

        if (result.GasUsed > 0)
        {
            _gas.Add((long)result.GasUsed);
        }
    }

    internal static string KindOf(PolicyAction action) => action switch
    {
        RedeemAction => "redeem",
        BatchRedeemAction => "redeemBatch",
        CloseIdleAction => "closeIdle",
        RequestCloseAction => "requestClose",
        SettleAction => "settle",
        _ => "unknown",
    };

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
