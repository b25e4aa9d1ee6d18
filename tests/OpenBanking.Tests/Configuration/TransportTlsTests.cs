using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Tests.Configuration;

public sealed class TransportTlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ob-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void NamedClient_TransportCertificatePem_AttachedAsMtlsClientCertificate()
    {
        var (certPath, keyPath, thumbprint) = WriteCertificate("CN=tpp-transport");
        var bank = Bank();
        bank.TransportCertificatePath = certPath;
        bank.TransportKeyPath = keyPath;

        var options = new OpenBankingOptions();
        options.Banks["acme"] = bank;
        new OpenBankingOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();

        using var handler = BankHttpClientConfigurator.CreateHandler(bank);
        handler.AllowAutoRedirect.ShouldBeFalse();
        handler.SslOptions.ClientCertificates!.Count.ShouldBe(1);
        var cert = (X509Certificate2)handler.SslOptions.ClientCertificates[0];
        cert.Thumbprint.ShouldBe(thumbprint);
        cert.HasPrivateKey.ShouldBeTrue();
    }

    [Fact]
    public void Validate_TransportCertificateWithoutKey_FailsNamingSetting()
    {
        var (certPath, _, _) = WriteCertificate("CN=no-key");
        var bank = Bank();
        bank.TransportCertificatePath = certPath;
        var options = new OpenBankingOptions();
        options.Banks["acme"] = bank;
        var result = new OpenBankingOptionsValidator().Validate(null, options);
        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("OpenBanking:Banks:acme:TransportCertificatePath");
    }

    [Fact]
    public void ServerValidator_TrustsOnlyConfiguredCertificateAndItsName()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var trusted = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var other = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(2));
        var validate = TransportCertificates.CreateValidator(trusted);
        validate(this, trusted, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors).ShouldBeTrue();
        validate(this, trusted, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch).ShouldBeFalse();
        validate(this, other, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors).ShouldBeFalse();
        TransportCertificates.CreateValidator(null)(this, trusted, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors).ShouldBeFalse();
    }

    [Fact]
    public void AddOpenBanking_NamedClientPerBank_ThePrimaryHandlerItSendsThroughCarriesThatBanksCertificate()
    {
        var (certPath, keyPath, thumbprint) = WriteCertificate("CN=tpp-transport");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpenBanking(o =>
        {
            var bank = Bank();
            bank.TransportCertificatePath = certPath;
            bank.TransportKeyPath = keyPath;
            o.Banks["acme"] = bank;
            o.Banks["plain"] = Bank();
        }, configSectionPath: null);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpMessageHandlerFactory>();

        // The handler chain the named client really sends through, down to its primary (socket) handler.
        var acme = PrimaryHandler(factory.CreateHandler("openbanking:acme"));
        var plain = PrimaryHandler(factory.CreateHandler("openbanking:plain"));

        acme.AllowAutoRedirect.ShouldBeFalse();
        acme.UseCookies.ShouldBeFalse();
        acme.SslOptions.ClientCertificates.ShouldNotBeNull();
        var cert = acme.SslOptions.ClientCertificates.Cast<X509Certificate2>().ShouldHaveSingleItem();
        cert.Thumbprint.ShouldBe(thumbprint);
        cert.HasPrivateKey.ShouldBeTrue();
        acme.SslOptions.RemoteCertificateValidationCallback.ShouldNotBeNull();
        (plain.SslOptions.ClientCertificates?.Count ?? 0).ShouldBe(0);
        plain.AllowAutoRedirect.ShouldBeFalse();
    }

    private static SocketsHttpHandler PrimaryHandler(HttpMessageHandler handler)
    {
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler ?? throw new InvalidOperationException("A delegating handler without an inner handler.");
        }

        return handler.ShouldBeOfType<SocketsHttpHandler>();
    }

    [Fact]
    public void AddOpenBanking_RegistersNoHostedService_TheLibraryIsClientAndTransferStoreOnly()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpenBanking(o => o.Banks["acme"] = Bank(), configSectionPath: null);

        // The resume worker and the notification webhook belong to the settlement service host (src/SettlementService).
        services.ShouldNotContain(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService));
        services.ShouldContain(d => d.ServiceType == typeof(Settlement.OpenBanking.Transfers.TransferService));
        services.ShouldContain(d => d.ServiceType == typeof(Settlement.OpenBanking.Notifications.EventNotificationReceiver));
    }

    private BankOptions Bank()
    {
        var keyPath = Path.Combine(_dir, "sign.pem");
        if (!File.Exists(keyPath))
        {
            using var key = SigningKey.Generate("k");
            File.WriteAllText(keyPath, key.ExportPkcs8Pem());
        }

        return new BankOptions
        {
            BaseUrl = new Uri("https://bank.example"),
            WellKnownEndpoint = new Uri("https://bank.example"),
            ClientId = "c",
            SigningKeyPath = keyPath,
            SigningKeyId = "k",
            RedirectUri = new Uri("https://tpp.example/cb"),
            PlatformAccount = new AccountOptions { Identification = "04000412345678", Name = "Platform" },
        };
    }

    private (string Cert, string Key, string Thumbprint) WriteCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".crt.pem");
        var keyPath = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".key.pem");
        File.WriteAllText(certPath, cert.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, cert.Thumbprint);
    }
}
