using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking;

/// <summary>The configured banks' PIS clients, created on first use, one per bank (one circuit breaker, one token cache each).</summary>
public sealed class OpenBankingClients : IDisposable
{
    private readonly IOptionsMonitor<OpenBankingOptions> _options;
    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<string, Lazy<(PisClient Client, SigningKey Key)>> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Vrp.VrpClient> _vrp = new(StringComparer.Ordinal);

    /// <summary>Creates the registry (normally through DI, see <see cref="OpenBankingServiceCollectionExtensions"/>).</summary>
    public OpenBankingClients(IOptionsMonitor<OpenBankingOptions> options, IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _httpClients = httpClients;
        _time = time;
        _loggers = loggers;
    }

    /// <summary>The configured bank names.</summary>
    public IReadOnlyCollection<string> BankNames => _options.CurrentValue.Banks.Keys;

    /// <summary>The client of <paramref name="bank"/>; throws <see cref="KeyNotFoundException"/> naming the bank when it is not configured.</summary>
    public PisClient Get(string bank)
    {
        ArgumentNullException.ThrowIfNull(bank);
        return _clients.GetOrAdd(bank, name => new Lazy<(PisClient, SigningKey)>(() => Create(name))).Value.Client;
    }

    /// <summary>The VRP client of <paramref name="bank"/> (sharing the PIS client's transport, keys and token cache); the bank must be v4.0.</summary>
    public Vrp.VrpClient GetVrp(string bank)
    {
        var pis = Get(bank);
        return _vrp.GetOrAdd(bank, _ => new Vrp.VrpClient(pis, _time, _loggers.CreateLogger("Settlement.OpenBanking.Vrp." + bank)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var lazy in _clients.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Key.Dispose();
                lazy.Value.Client.Metadata.Dispose();
            }
        }
    }

    private (PisClient, SigningKey) Create(string bank)
    {
        if (!_options.CurrentValue.Banks.TryGetValue(bank, out var options))
        {
            throw new KeyNotFoundException($"Bank '{bank}' is not configured (OpenBanking:Banks:{bank}).");
        }

        if (!SigningKey.TryLoad(options.SigningKeyPath, options.SigningKeyId, out var key, out var error))
        {
            throw new InvalidOperationException($"OpenBanking:Banks:{bank}:SigningKeyPath: {error}");
        }

        var clientName = BankHttpClientConfigurator.Prefix + bank;
        var client = new PisClient(bank, options, key, () => _httpClients.CreateClient(clientName), _time, _loggers.CreateLogger("Settlement.OpenBanking.Pis." + bank));
        return (client, key);
    }
}
