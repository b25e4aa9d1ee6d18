using Settlement.OpenBanking.Configuration;

namespace Settlement.Cli.Bank;

/// <summary>
/// What <see cref="BankConnectorHost"/> needs to start the connector: a configuration file, or a running sandbox
/// (its base URL and TLS certificate PEM), the spec version, the state directory and the bank name to use.
/// </summary>
internal sealed record BankConnectorSettings(
    DirectoryInfo StateDirectory,
    FileInfo? Config,
    Uri? Sandbox,
    FileInfo? SandboxCertificate,
    ObieVersion Spec = ObieVersion.V3_1_11,
    string? Bank = null);
