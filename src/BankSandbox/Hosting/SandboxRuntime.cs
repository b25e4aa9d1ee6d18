using Microsoft.Extensions.Logging;
using Settlement.BankSandbox.Accounts;
using Settlement.BankSandbox.Clients;
using Settlement.BankSandbox.Customer;
using Settlement.BankSandbox.Faults;
using Settlement.BankSandbox.Notifications;
using Settlement.BankSandbox.OAuth;
using Settlement.BankSandbox.Payments;
using Settlement.BankSandbox.Security;

namespace Settlement.BankSandbox.Hosting;

/// <summary>Everything one running sandbox holds; shared by the endpoints, the background loop and <see cref="SandboxHost"/>.</summary>
internal sealed class SandboxRuntime : IDisposable
{
    public SandboxRuntime(SandboxOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        Time = options.TimeProvider;
        var gate = new object();
        Accounts = new SandboxAccounts(gate);
        foreach (var a in options.Accounts)
        {
            Accounts.Set(a);
        }

        foreach (var c in options.Clients)
        {
            Clients.Register(c);
        }

        Ledger = new SandboxLedger(gate, Accounts, options);
        Log = loggerFactory.CreateLogger("Settlement.BankSandbox");
        Notifications = new NotificationDispatcher(this, loggerFactory.CreateLogger<NotificationDispatcher>());
    }

    public SandboxOptions Options { get; }

    public ILogger Log { get; }

    public TimeProvider Time { get; }

    public SandboxAccounts Accounts { get; }

    public SandboxClients Clients { get; } = new();

    public FaultInjector Faults { get; } = new();

    public CustomerSimulator Customer { get; } = new();

    public BankSigningKey SigningKey { get; } = BankSigningKey.Shared;

    public OAuthStore OAuth { get; } = new();

    public SandboxLedger Ledger { get; }

    public NotificationDispatcher Notifications { get; }

    /// <summary>Issuer, e.g. https://127.0.0.1:5443 (no trailing slash); set once Kestrel has bound.</summary>
    public string Issuer { get; set; } = "";

    public string TokenEndpoint => Issuer + "/as/token";

    public static string PispPath(PisVersion version) => version == PisVersion.V4 ? "/open-banking/v4.0/pisp" : "/open-banking/v3.1/pisp";

    public string ResourceUrl(PisVersion version, string relative) => Issuer + PispPath(version) + relative;

    /// <summary>Applies due status changes and hands the notifications to the dispatcher.</summary>
    public int AdvanceStatuses()
    {
        var changed = Ledger.Advance(Time.GetUtcNow());
        foreach (var p in changed)
        {
            Notifications.Enqueue(p);
        }

        return changed.Count;
    }

    public void Dispose()
    {
        // The signing key is process-wide (BankSigningKey.Shared) and outlives this sandbox.
    }
}
