namespace Settlement.DashboardService.Upstreams;

/// <summary>
/// The upstream services the dashboard reads. Starts from <see cref="DashboardServiceOptions"/>; a host that starts a
/// service later (the demo starts the payee service mid-story) points the dashboard at it here. Thread-safe.
/// </summary>
public sealed class DashboardUpstreams
{
    private Uri? _settlement;
    private Uri? _payee;
    private Uri? _watchtower;

    internal DashboardUpstreams(DashboardServiceOptions options)
    {
        _settlement = options.SettlementUrl;
        _payee = options.PayeeUrl;
        _watchtower = options.WatchtowerUrl;
    }

    /// <summary>The settlement service, or null.</summary>
    public Uri? Settlement
    {
        get => Volatile.Read(ref _settlement);
        set => Volatile.Write(ref _settlement, value);
    }

    /// <summary>The payee service, or null.</summary>
    public Uri? Payee
    {
        get => Volatile.Read(ref _payee);
        set => Volatile.Write(ref _payee, value);
    }

    /// <summary>The watchtower service, or null.</summary>
    public Uri? Watchtower
    {
        get => Volatile.Read(ref _watchtower);
        set => Volatile.Write(ref _watchtower, value);
    }
}
