using System.ComponentModel.DataAnnotations;

namespace Settlement.OpenBanking.Configuration;

/// <summary>Root options of the connector (section <c>OpenBanking</c>).</summary>
public sealed class OpenBankingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "OpenBanking";

    /// <summary>Banks by name; several side by side.</summary>
    public Dictionary<string, BankOptions> Banks { get; } = new(StringComparer.Ordinal);

    /// <summary>SQLite file holding the transfer state machines.</summary>
    [Required]
    public string DatabasePath { get; set; } = "openbanking.db";
}
