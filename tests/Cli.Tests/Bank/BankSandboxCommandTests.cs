using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Settlement.Cli.Tests.Bank;

/// <summary>`l2pay bank sandbox` as a process: one JSON line, then a bank that answers over HTTPS until it is stopped.</summary>
public sealed class BankSandboxCommandTests
{
    [Fact]
    public async Task BankSandbox_FreePort_PrintsUrlAndCertificateAndServes()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "l2pay.dll"), "bank", "sandbox", "--port", "0"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string? pem = null;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            line.ShouldNotBeNull("l2pay bank sandbox printed nothing");
            var info = JsonNode.Parse(line)!;
            var issuer = info["issuer"]!.GetValue<string>();
            issuer.ShouldStartWith("https://127.0.0.1:");
            info["baseUrl"]!.GetValue<string>().ShouldBe(issuer + "/");

            // Trust exactly the printed certificate (PEM file), and check the printed thumbprint matches it.
            pem = info["certificatePem"]!.GetValue<string>();
            using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(pem));
            certificate.GetCertHashString(HashAlgorithmName.SHA256).ShouldBe(info["certificateThumbprint"]!.GetValue<string>());
            using var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString(HashAlgorithmName.SHA256) == certificate.GetCertHashString(HashAlgorithmName.SHA256);
            using var http = new HttpClient(handler);

            var discovery = JsonNode.Parse(await http.GetStringAsync(new Uri(info["wellKnown"]!.GetValue<string>())))!;
            discovery["issuer"]!.GetValue<string>().ShouldBe(issuer);
            var accounts = JsonNode.Parse(await http.GetStringAsync(new Uri(issuer + "/sandbox/accounts")))!.AsArray();
            accounts.Select(a => a!["identification"]!.GetValue<string>()).ShouldBe(["04000412345678", "20000055555555", "60161331926819"]);
            process.HasExited.ShouldBeFalse();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            if (pem is not null)
            {
                File.Delete(pem); // a killed sandbox cannot remove its own certificate file
            }
        }
    }
}
