using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Configuration;

/// <summary>
/// Configures the named HttpClient <c>openbanking:&lt;bank&gt;</c> of each bank: TLS trust (system store
/// plus the configured extra certificate, host name always checked), the mTLS client certificate,
/// no automatic redirects (the authorisation redirect is read, not followed), no cookies.
/// </summary>
internal sealed class BankHttpClientConfigurator(IOptionsMonitor<OpenBankingOptions> options) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public const string Prefix = "openbanking:";

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, HttpClientFactoryOptions factoryOptions)
    {
        ArgumentNullException.ThrowIfNull(factoryOptions);
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        var bankName = name[Prefix.Length..];
        factoryOptions.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            if (!options.CurrentValue.Banks.TryGetValue(bankName, out var bank))
            {
                return;
            }

            builder.PrimaryHandler = CreateHandler(bank);
        });
    }

    internal static SocketsHttpHandler CreateHandler(BankOptions bank)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        X509Certificate2? trusted = string.IsNullOrEmpty(bank.TrustedServerCertificatePath) ? null : TransportCertificates.LoadTrusted(bank.TrustedServerCertificatePath);
        handler.SslOptions.RemoteCertificateValidationCallback = TransportCertificates.CreateValidator(trusted);
        if (!string.IsNullOrEmpty(bank.TransportCertificatePath)
            && TransportCertificates.TryLoadClientCertificate(bank.TransportCertificatePath, bank.TransportKeyPath, out var clientCert, out _))
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCert };
        }

        return handler;
    }
}
