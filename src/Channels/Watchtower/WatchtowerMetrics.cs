using System.Diagnostics.Metrics;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The watchtower's counters on the <c>Settlement.Watchtower</c> meter, plus their running totals for the host's
/// metrics endpoint.
/// </summary>
public sealed class WatchtowerMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Settlement.Watchtower";

    private readonly Meter _meter;
    private readonly Counter<long> _delegationsAccepted;
    private readonly Counter<long> _delegationsRefused;
    private readonly Counter<long> _blocksScanned;
    private readonly Counter<long> _reorgs;
    private readonly Counter<long> _disputesSubmitted;
    private readonly Counter<long> _disputesResent;
    private readonly Counter<long> _settlesSubmitted;
    private readonly Counter<long> _alerts;
    private long _accepted;
    private long _refused;
    private long _scanned;
    private long _reorgCount;
    private long _submitted;
    private long _resent;
    private long _settles;
    private long _alertCount;

    /// <summary>Creates the instruments (through <paramref name="meterFactory"/> when given, as DI does).</summary>
    public WatchtowerMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _delegationsAccepted = _meter.CreateCounter<long>("watchtower.delegations.accepted", "{voucher}", "Delegations and voucher updates stored.");
        _delegationsRefused = _meter.CreateCounter<long>("watchtower.delegations.refused", "{voucher}", "Delegations and voucher updates refused, by reason.");
        _blocksScanned = _meter.CreateCounter<long>("watchtower.blocks.scanned", "{block}", "Blocks whose contract events were read.");
        _reorgs = _meter.CreateCounter<long>("watchtower.reorgs", "{reorg}", "Times the chain under the checkpoint changed.");
        _disputesSubmitted = _meter.CreateCounter<long>("watchtower.disputes.submitted", "{transaction}", "Redeem transactions signed and sent.");
        _disputesResent = _meter.CreateCounter<long>("watchtower.disputes.resent", "{transaction}", "Stored transactions sent again after the node lost them.");
        _settlesSubmitted = _meter.CreateCounter<long>("watchtower.settles.submitted", "{transaction}", "Settle transactions signed and sent.");
        _alerts = _meter.CreateCounter<long>("watchtower.alerts", "{alert}", "Alerts raised, by kind.");
    }

    /// <summary>Totals since start.</summary>
    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["delegationsAccepted"] = Interlocked.Read(ref _accepted),
        ["delegationsRefused"] = Interlocked.Read(ref _refused),
        ["blocksScanned"] = Interlocked.Read(ref _scanned),
        ["reorgs"] = Interlocked.Read(ref _reorgCount),
        ["disputesSubmitted"] = Interlocked.Read(ref _submitted),
        ["disputesResent"] = Interlocked.Read(ref _resent),
        ["settlesSubmitted"] = Interlocked.Read(ref _settles),
        ["alerts"] = Interlocked.Read(ref _alertCount),
    };

    internal void Delegation(DelegationOutcome outcome)
    {
        if (outcome is DelegationRefused refused)
        {
            Interlocked.Increment(ref _refused);
            _delegationsRefused.Add(1, new KeyValuePair<string, object?>("reason", refused.Reason.ToString()));
        }
        else if (outcome is DelegationAccepted)
        {
            Interlocked.Increment(ref _accepted);
            _delegationsAccepted.Add(1);
        }
    }

    internal void Scanned(ulong blocks)
    {
        Interlocked.Add(ref _scanned, (long)blocks);
        _blocksScanned.Add((long)blocks);
    }

    internal void Reorg()
    {
        Interlocked.Increment(ref _reorgCount);
        _reorgs.Add(1);
    }

    internal void Submitted(DisputeKind kind)
    {
        if (kind == DisputeKind.Settle)
        {
            Interlocked.Increment(ref _settles);
            _settlesSubmitted.Add(1);
        }
        else
        {
            Interlocked.Increment(ref _submitted);
            _disputesSubmitted.Add(1);
        }
    }

    internal void Resent()
    {
        Interlocked.Increment(ref _resent);
        _disputesResent.Add(1);
    }

    internal void Alert(WatchtowerAlertKind kind)
    {
        Interlocked.Increment(ref _alertCount);
        _alerts.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
