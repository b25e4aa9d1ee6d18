using System.Diagnostics.CodeAnalysis;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Settlement.OpenBanking.Signing;

/// <summary>Loads the transport (mTLS) client certificate and the extra trusted server certificate.</summary>
internal static class TransportCertificates
{
    public static bool TryLoadClientCertificate(string path, string? keyPath, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out string? error)
    {
        certificate = null;
        error = null;
        try
        {
            var ext = Path.GetExtension(path).ToUpperInvariant();
            if (ext is ".PFX" or ".P12")
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
            }
            else
            {
                using var pem = X509Certificate2.CreateFromPemFile(path, keyPath ?? path);
                // Re-import so the key is usable by SslStream on every platform.
                certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or ArgumentException)
        {
            error = "cannot load the client certificate with its private key (PEM cert+key or PFX expected).";
            return false;
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            certificate = null;
            error = "the client certificate has no private key.";
            return false;
        }

        return true;
    }

    public static X509Certificate2 LoadTrusted(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificateFromFile(path);
    }

    /// <summary>
    /// Accepts a server certificate that the system trusts, or that is (or chains to) the extra
    /// trusted certificate. Host name mismatches are never accepted.
    /// </summary>
    public static RemoteCertificateValidationCallback CreateValidator(X509Certificate2? trusted)
    {
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (trusted is null || certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (presented.RawDataMemory.Span.SequenceEqual(trusted.RawDataMemory.Span))
            {
                return true;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(presented);
        };
    }
}
