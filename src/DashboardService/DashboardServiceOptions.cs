using System.Net;

namespace Settlement.DashboardService;

/// <summary>
/// The dashboard's settings: where it listens, which upstream services it reads, how often, and the bearer token that
/// any address other than loopback requires.
/// </summary>
public sealed class DashboardServiceOptions
{
    /// <summary>The address to listen on; <c>127.0.0.1</c> (or <c>::1</c>) needs no token, any other needs <see cref="BearerToken"/>.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port (0 = any free port).</summary>
    public int Port { get; set; } = 7100;

    /// <summary>The settlement service (<c>l2pay serve settlement</c>); null = not shown.</summary>
    public Uri? SettlementUrl { get; set; }

    /// <summary>The payee service (<c>l2pay serve payee</c>); null = not shown.</summary>
    public Uri? PayeeUrl { get; set; }

    /// <summary>The watchtower service (<c>l2pay serve watchtower</c>); null = not shown.</summary>
    public Uri? WatchtowerUrl { get; set; }

    /// <summary>
    /// The token a browser must present (<c>Authorization: Bearer …</c>, or once as <c>?token=…</c>, which sets an
    /// HttpOnly cookie). Required when <see cref="BindAddress"/> is not loopback; optional on loopback.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>How often the upstream services are read and a snapshot is pushed to the page.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one upstream request.</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The parsed <see cref="BindAddress"/> (valid after <see cref="ThrowIfInvalid"/>).</summary>
    internal IPAddress Address => IPAddress.Parse(BindAddress);

    /// <summary>Checks every setting; the message names the one that is wrong.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void ThrowIfInvalid()
    {
        if (!IPAddress.TryParse(BindAddress, out var address))
        {
            throw new ArgumentException($"Dashboard:BindAddress: '{BindAddress}' is not an IP address.", nameof(BindAddress));
        }

        if (Port is < 0 or > 65_535)
        {
            throw new ArgumentException($"Dashboard:Port: {Port} is not a TCP port.", nameof(Port));
        }

        if (BearerToken is { } token && (token.Length < 16 || token.Any(char.IsWhiteSpace)))
        {
            throw new ArgumentException("Dashboard:BearerToken: at least 16 characters and no white space.", nameof(BearerToken));
        }

        if (!IPAddress.IsLoopback(address) && BearerToken is null)
        {
            // Read-only is still the merchant's business data: off loopback, nobody reads it without the token.
            throw new ArgumentException(
                $"Dashboard:BearerToken: binding to {BindAddress}, which is not loopback, requires a bearer token (--token-file or L2PAY_DASHBOARD_TOKEN).",
                nameof(BearerToken));
        }

        foreach (var (name, url) in new[] { ("SettlementUrl", SettlementUrl), ("PayeeUrl", PayeeUrl), ("WatchtowerUrl", WatchtowerUrl) })
        {
            if (url is not null && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
            {
                throw new ArgumentException($"Dashboard:{name}: '{url}' is not an absolute http(s) URL.", name);
            }
        }

        if (PollInterval < TimeSpan.FromMilliseconds(50) || PollInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("Dashboard:PollInterval: between 50 ms and 10 minutes.", nameof(PollInterval));
        }

        if (UpstreamTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Dashboard:UpstreamTimeout: must be positive.", nameof(UpstreamTimeout));
        }
    }
}
