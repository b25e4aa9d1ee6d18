using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;

namespace Settlement.Cli.Bank;

/// <summary>`l2pay bank sandbox`: hosts the bank sandbox on 127.0.0.1 until Ctrl+C.</summary>
internal static class BankSandboxCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "HTTPS port on 127.0.0.1 (0 = a free port)", DefaultValueFactory = _ => 5443 };
        var acceptance = new Option<double>("--acceptance-delay") { Description = "Seconds from submission to ACSP", DefaultValueFactory = _ => 1 };
        var settlement = new Option<double>("--settlement-delay") { Description = "Seconds from ACSP to ACSC", DefaultValueFactory = _ => 2 };
        var command = new Command("sandbox", "Run the local OBIE bank sandbox (OIDC + PIS v3.1.11 and v4.0) until Ctrl+C");
        command.Options.Add(port);
        command.Options.Add(acceptance);
        command.Options.Add(settlement);
        command.SetAction(async (parse, ct) =>
        {
            var options = new SandboxOptions
            {
                Port = parse.GetValue(port),
                AcceptanceDelay = TimeSpan.FromSeconds(parse.GetValue(acceptance)),
                SettlementDelay = TimeSpan.FromSeconds(parse.GetValue(settlement)),
                DefaultDebtorAccount = "60161331926819",
            };
            options.Accounts.Add(new SandboxAccount { Identification = "60161331926819", Name = "Customer", BalanceMinor = 100_000 });
            options.Accounts.Add(new SandboxAccount { Identification = "04000412345678", Name = "Platform", BalanceMinor = 0 });
            options.Accounts.Add(new SandboxAccount { Identification = "20000055555555", Name = "Merchant", BalanceMinor = 0 });

            await using var host = await SandboxHost.StartAsync(options, ct).ConfigureAwait(false);
            var pemPath = Path.Combine(Path.GetTempPath(), $"l2pay-bank-sandbox-{host.BaseUrl.Port}.pem");
            await File.WriteAllTextAsync(pemPath, host.TlsCertificate.ExportCertificatePem(), ct).ConfigureAwait(false);
            var line = new JsonObject
            {
                ["baseUrl"] = host.BaseUrl.ToString(),
                ["issuer"] = host.Issuer,
                ["wellKnown"] = host.Issuer + "/.well-known/openid-configuration",
                ["certificateThumbprint"] = host.TlsCertificate.GetCertHashString(HashAlgorithmName.SHA256),
                ["certificatePem"] = pemPath,
            };
            await Console.Out.WriteLineAsync(line.ToJsonString()).ConfigureAwait(false);
            await Console.Out.FlushAsync(ct).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C
            }
            finally
            {
                File.Delete(pemPath);
            }

            return 0;
        });
        return command;
    }
}
