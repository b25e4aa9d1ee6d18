using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;

namespace Settlement.DashboardService.Snapshots;

/// <summary>
/// Turns successive upstream counters into rates for the chart: vouchers per second (the payee's accepted-voucher
/// counter) and value per minute (the growth of the cumulative amounts paid), for the merchant and for each channel.
/// Keeps the last <see cref="Points"/> points of each series, so a page opened late still draws a history. Rates are
/// the difference of two reads divided by the time between them; a counter that went down (a restarted payee
/// service) starts the series again instead of drawing a negative rate.
/// </summary>
internal sealed class RateTracker
{
    /// <summary>Points kept per series.</summary>
    public const int Points = 120;

    /// <summary>Channels whose series are kept (the most recently paid ones).</summary>
    public const int MaxChannels = 50;

    private readonly Queue<JsonObject> _merchant = new();
    private readonly Dictionary<string, ChannelSeries> _channels = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastAt;
    private long? _lastAccepted;
    private BigInteger? _lastTotalPaid;

    /// <summary>Records one read and returns the merchant's current rates.</summary>
    /// <param name="at">When the read was made.</param>
    /// <param name="accepted">The payee's accepted-voucher counter, or null if the payee was not read.</param>
    /// <param name="paidByChannel">Cumulative amount paid per channel id (base units).</param>
    /// <param name="acceptedByChannel">The payee's accepted-voucher counter per channel id (channels it does not report are left out).</param>
    public (double? VouchersPerSecond, BigInteger? ValuePerMinute) Record(
        DateTimeOffset at, long? accepted, IReadOnlyDictionary<string, BigInteger> paidByChannel, IReadOnlyDictionary<string, long>? acceptedByChannel = null)
    {
        var seconds = _lastAt is { } last ? (at - last).TotalSeconds : 0;
        double? vps = null;
        BigInteger? vpm = null;
        var totalPaid = paidByChannel.Values.Aggregate(BigInteger.Zero, (s, v) => s + v);
        if (seconds > 0 && accepted is { } a && _lastAccepted is { } la && a >= la)
        {
            vps = (a - la) / seconds;
        }

        if (seconds > 0 && _lastTotalPaid is { } lp && totalPaid >= lp && paidByChannel.Count > 0)
        {
            vpm = PerMinute(totalPaid - lp, seconds);
        }

        if (vps is not null || vpm is not null)
        {
            Append(_merchant, new JsonObject
            {
                ["at"] = at.ToString("O", CultureInfo.InvariantCulture),
                ["vouchersPerSecond"] = vps is { } v ? Math.Round(v, 2) : null,
                ["valuePerMinute"] = vpm?.ToString(CultureInfo.InvariantCulture),
            });
        }

        foreach (var (id, paid) in paidByChannel)
        {
            long? count = acceptedByChannel is not null && acceptedByChannel.TryGetValue(id, out var c) ? c : null;
            if (!_channels.TryGetValue(id, out var series))
            {
                series = new ChannelSeries(paid, at) { LastAccepted = count };
                _channels[id] = series;
                continue;
            }

            var elapsed = (at - series.LastAt).TotalSeconds;
            if (elapsed > 0 && paid >= series.LastPaid)
            {
                var rate = PerMinute(paid - series.LastPaid, elapsed);
                double? perSecond = count is { } now && series.LastAccepted is { } before && now >= before ? Math.Round((now - before) / elapsed, 2) : null;
                series.Current = rate;
                series.CurrentVouchersPerSecond = perSecond;
                Append(series.Points, new JsonObject
                {
                    ["at"] = at.ToString("O", CultureInfo.InvariantCulture),
                    ["vouchersPerSecond"] = perSecond,
                    ["valuePerMinute"] = rate.ToString(CultureInfo.InvariantCulture),
                });
                if (rate > 0)
                {
                    series.LastActive = at;
                }
            }

            series.LastPaid = paid;
            series.LastAccepted = count;
            series.LastAt = at;
        }

        foreach (var stale in _channels.OrderByDescending(c => c.Value.LastActive).Skip(MaxChannels).Select(c => c.Key).ToList())
        {
            _channels.Remove(stale);
        }

        _lastAt = at;
        _lastAccepted = accepted ?? _lastAccepted;
        _lastTotalPaid = paidByChannel.Count > 0 ? totalPaid : _lastTotalPaid;
        return (vps, vpm);
    }

    /// <summary>The channel's value per minute at the last read, or null if it has only one read.</summary>
    public BigInteger? ChannelRate(string channelId) => _channels.TryGetValue(channelId, out var s) ? s.Current : null;

    /// <summary>The channel's vouchers per second at the last read, or null (one read, or no counter from the payee).</summary>
    public double? ChannelVouchersPerSecond(string channelId) => _channels.TryGetValue(channelId, out var s) ? s.CurrentVouchersPerSecond : null;

    /// <summary>The series for the page: <c>{merchant: [...], channels: {id: [...]}}</c>.</summary>
    public JsonObject Series()
    {
        var channels = new JsonObject();
        foreach (var (id, series) in _channels)
        {
            channels[id] = new JsonArray(series.Points.Select(p => (JsonNode)p.DeepClone()).ToArray());
        }

        return new JsonObject
        {
            ["merchant"] = new JsonArray(_merchant.Select(p => (JsonNode)p.DeepClone()).ToArray()),
            ["channels"] = channels,
        };
    }

    private static BigInteger PerMinute(BigInteger amount, double seconds) =>
        amount * 60_000 / new BigInteger(Math.Max(1, (long)Math.Round(seconds * 1000)));

    private static void Append(Queue<JsonObject> queue, JsonObject point)
    {
        queue.Enqueue(point);
        while (queue.Count > Points)
        {
            queue.Dequeue();
        }
    }

    private sealed class ChannelSeries(BigInteger paid, DateTimeOffset at)
    {
        public BigInteger LastPaid { get; set; } = paid;

        public DateTimeOffset LastAt { get; set; } = at;

        public DateTimeOffset LastActive { get; set; } = at;

        public BigInteger? Current { get; set; }

        public long? LastAccepted { get; set; }

        public double? CurrentVouchersPerSecond { get; set; }

        public Queue<JsonObject> Points { get; } = new();
    }
}
