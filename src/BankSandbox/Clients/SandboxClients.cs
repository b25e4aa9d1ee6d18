using System.Collections.Concurrent;

namespace Settlement.BankSandbox.Clients;

/// <summary>The registered clients. Thread-safe.</summary>
public sealed class SandboxClients
{
    private readonly ConcurrentDictionary<string, SandboxClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Registers a client, replacing one with the same id.</summary>
    /// <exception cref="ArgumentException">No client id, or neither a secret nor a signing key.</exception>
    public void Register(SandboxClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.IsNullOrWhiteSpace(client.ClientId))
        {
            throw new ArgumentException("ClientId is required.", nameof(client));
        }

        if (client.ClientSecret is null && client.SigningKey is null)
        {
            throw new ArgumentException("A client needs a ClientSecret or a SigningKey.", nameof(client));
        }

        _clients[client.ClientId] = client;
    }

    /// <summary>The client with that id, if registered.</summary>
    public bool TryGet(string? clientId, out SandboxClient? client)
    {
        client = null;
        return clientId is not null && _clients.TryGetValue(clientId, out client);
    }

    /// <summary>All registered clients.</summary>
    public IReadOnlyCollection<SandboxClient> All() => _clients.Values.ToArray();
}
