using System.Diagnostics.Metrics;
using Settlement.Service.Indexer;

namespace Settlement.SettlementService.Indexer;

/// <summary>
/// The settlement service's metrics on the <see cref="MeterName"/> meter (exported at <c>/metrics/prometheus</c>):
/// blocks, events and transfers booked, reorgs and failed polls as counters; checkpoint height, head and lag as gauges.
/// </summary>
public sealed class SettlementServiceMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Settlement.SettlementService";

    private readonly Meter _meter;
    private readonly Counter<long> _blocks;
    private readonly Counter<long> _events;
    private readonly Counter<long> _transfers;
    private readonly Counter<long> _reorgs;
    private readonly Counter<long> _failures;

    internal SettlementServiceMetrics(IMeterFactory meterFactory, IndexerStatus status)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(status);
        _meter = meterFactory.Create(MeterName);
        _blocks = _meter.CreateCounter<long>("settlement.indexer.blocks", "{block}", "Blocks indexed.");
        _events = _meter.CreateCounter<long>("settlement.indexer.events", "{event}", "Chain events booked into the ledger.");
        _transfers = _meter.CreateCounter<long>("settlement.indexer.transfers", "{transfer}", "Ledger transfers booked by the indexer.");
        _reorgs = _meter.CreateCounter<long>("settlement.indexer.reorgs", "{reorg}", "Rollbacks after a reorg.");
        _failures = _meter.CreateCounter<long>("settlement.indexer.poll_failures", "{poll}", "Indexer polls that failed (node or database fault).");
        _meter.CreateObservableGauge("settlement.indexer.checkpoint_block", () => Observe(status, s => s.Checkpoint?.Block?.Number is { } n ? (long)n : null), "{block}", "The last block booked.");
        _meter.CreateObservableGauge("settlement.indexer.head_block", () => Observe(status, s => s.Head is { } h ? (long)h : null), "{block}", "The node's head at the last poll.");
        _meter.CreateObservableGauge("settlement.indexer.lag_blocks", () => Observe(status, s => status.Lag(s.Checkpoint, s.Head)), "{block}", "Confirmed blocks not yet booked.");
    }

    internal void Polled(IndexerPollResult result)
    {
        _blocks.Add(result.Blocks);
        _events.Add(result.EventsBooked);
        _transfers.Add(result.TransfersBooked);
        if (result.Outcome == IndexerPollOutcome.RolledBack)
        {
            _reorgs.Add(1);
        }
    }

    internal void PollFailed() => _failures.Add(1);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Observe(IndexerStatus status, Func<IndexerStatusSnapshot, long?> read) =>
        read(status.Snapshot) is { } value ? [new Measurement<long>(value)] : [];
}
