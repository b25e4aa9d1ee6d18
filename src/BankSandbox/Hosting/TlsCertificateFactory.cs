using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Settlement.BankSandbox.Hosting;

/// <summary>
/// The sandbox's self-signed TLS server certificate (RSA 2048, SAN IP 127.0.0.1), made in memory once per process
/// (key generation is the slow part of starting a sandbox); each host gets its own instance of it.
/// </summary>
internal static class TlsCertificateFactory
{
    private static readonly Lazy<byte[]> Pfx = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    public static X509Certificate2 Create() => X509CertificateLoader.LoadPkcs12(Pfx.Value, null);

    private static byte[] Make()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Settlement bank sandbox", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        // TLS validity is real-world time, not the sandbox clock (tests may run the sandbox clock anywhere).
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return created.Export(X509ContentType.Pkcs12);
    }
}
