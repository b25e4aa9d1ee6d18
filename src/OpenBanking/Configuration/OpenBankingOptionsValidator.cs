using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Configuration;

/// <summary>
/// Validates every configured bank at start: data annotations (recursively), HTTPS endpoints, files
/// that exist and keys that load. Each failure names the setting as a configuration path, e.g.
/// <c>OpenBanking:Banks:acme:SigningKeyPath</c>. Never echoes a secret value.
/// </summary>
public sealed class OpenBankingOptionsValidator : IValidateOptions<OpenBankingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OpenBankingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Annotate(options, OpenBankingOptions.SectionName, failures);
        if (options.Banks.Count == 0)
        {
            failures.Add($"{OpenBankingOptions.SectionName}:Banks: at least one bank must be configured.");
        }

        foreach (var (bankName, bank) in options.Banks)
        {
            var prefix = $"{OpenBankingOptions.SectionName}:Banks:{bankName}";
            if (bank is null)
            {
                failures.Add($"{prefix}: missing.");
                continue;
            }

            ValidateBank(prefix, bank, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void ValidateBank(string prefix, BankOptions bank, List<string> failures)
    {
        Annotate(bank, prefix, failures);
        if (bank.PlatformAccount is { } account)
        {
            Annotate(account, prefix + ":PlatformAccount", failures);
        }

        foreach (var (name, risk) in new[] { ("TopupRisk", bank.TopupRisk), ("PayoutRisk", bank.PayoutRisk) })
        {
            if (risk?.ToRisk().Check(bank.SpecVersion) is { } riskError)
            {
                failures.Add($"{prefix}:{name}: {riskError}.");
            }
        }

        if (bank.StatusPollMaxInterval < bank.StatusPollInitialInterval)
        {
            failures.Add($"{prefix}:StatusPollMaxInterval: must not be shorter than StatusPollInitialInterval.");
        }

        RequireHttps(bank.BaseUrl, prefix + ":BaseUrl", failures);
        RequireHttps(bank.WellKnownEndpoint, prefix + ":WellKnownEndpoint", failures);
        if (bank.RedirectUri is { IsAbsoluteUri: false })
        {
            failures.Add($"{prefix}:RedirectUri: must be an absolute URI.");
        }

        if (!string.IsNullOrEmpty(bank.SigningKeyPath))
        {
            if (!File.Exists(bank.SigningKeyPath))
            {
                failures.Add($"{prefix}:SigningKeyPath: file '{bank.SigningKeyPath}' does not exist.");
            }
            else if (!SigningKey.TryLoad(bank.SigningKeyPath, bank.SigningKeyId, out var key, out var error))
            {
                failures.Add($"{prefix}:SigningKeyPath: {error}");
            }
            else
            {
                key!.Dispose();
            }
        }

        CheckFile(bank.TransportCertificatePath, prefix + ":TransportCertificatePath", failures);
        CheckFile(bank.TransportKeyPath, prefix + ":TransportKeyPath", failures);
        CheckFile(bank.TrustedServerCertificatePath, prefix + ":TrustedServerCertificatePath", failures);
        if (!string.IsNullOrEmpty(bank.TransportCertificatePath) && File.Exists(bank.TransportCertificatePath))
        {
            if (TransportCertificates.TryLoadClientCertificate(bank.TransportCertificatePath, bank.TransportKeyPath, out var cert, out var certError))
            {
                cert.Dispose();
            }
            else
            {
                failures.Add($"{prefix}:TransportCertificatePath: {certError}");
            }
        }

        if (!Enum.IsDefined(bank.SpecVersion))
        {
            failures.Add($"{prefix}:SpecVersion: must be V3_1_11 or V4_0.");
        }
    }

    private static void Annotate(object instance, string prefix, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            return;
        }

        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? result.MemberNames : [""];
            foreach (var member in members)
            {
                failures.Add($"{prefix}:{member}: {result.ErrorMessage}");
            }
        }
    }

    private static void RequireHttps(Uri? uri, string setting, List<string> failures)
    {
        if (uri is null)
        {
            return;
        }

        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add($"{setting}: must be an absolute https:// URL (FAPI and MSAL require TLS).");
        }
    }

    private static void CheckFile(string? path, string setting, List<string> failures)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
        {
            failures.Add($"{setting}: file '{path}' does not exist.");
        }
    }
}
