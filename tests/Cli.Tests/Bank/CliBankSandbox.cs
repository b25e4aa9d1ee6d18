using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;

namespace Settlement.Cli.Tests.Bank;

/// <summary>
/// An in-process bank sandbox over HTTPS for <c>l2pay bank</c> process tests: a customer, the platform and a
/// merchant account, fast acceptance and settlement, the TLS certificate written where the CLI can trust it,
/// and a temporary directory for the CLI's state; all removed on dispose.
/// </summary>
internal sealed class CliBankSandbox : IAsyncDisposable
{
    public const string Customer = "60161331926819";
    public const string Platform = "04000412345678";
    public const string Merchant = "20000055555555";

    private CliBankSandbox(string dir, SandboxHost sandbox, string pem)
    {
        Dir = dir;
        Sandbox = sandbox;
        Pem = pem;
    }

    /// <summary>The temporary directory (state directories and config files of the test go here).</summary>
    public string Dir { get; }

    /// <summary>The running sandbox.</summary>
    public SandboxHost Sandbox { get; }

    /// <summary>The sandbox's TLS certificate (PEM), for <c>--sandbox-cert</c>.</summary>
    public string Pem { get; }

    public static async Task<CliBankSandbox> StartAsync(string prefix, long customer, long platform, long merchant)
    {
        var dir = Directory.CreateTempSubdirectory(prefix).FullName;
        var options = new SandboxOptions { Port = 0, AcceptanceDelay = TimeSpan.FromMilliseconds(100), SettlementDelay = TimeSpan.FromMilliseconds(100), BackgroundInterval = TimeSpan.FromMilliseconds(100) };
        options.Accounts.Add(new SandboxAccount { Identification = Customer, Name = "Customer", BalanceMinor = customer });
        options.Accounts.Add(new SandboxAccount { Identification = Platform, Name = "Platform", BalanceMinor = platform });
        options.Accounts.Add(new SandboxAccount { Identification = Merchant, Name = "Merchant", BalanceMinor = merchant });
        var sandbox = await SandboxHost.StartAsync(options);
        var pem = Path.Combine(dir, "sandbox.pem");
        await File.WriteAllTextAsync(pem, sandbox.TlsCertificate.ExportCertificatePem());
        return new CliBankSandbox(dir, sandbox, pem);
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        Directory.Delete(Dir, true);
    }
}
