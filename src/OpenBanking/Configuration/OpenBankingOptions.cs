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

    /// <summary>How often the resume worker polls unfinished transfers.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Run the background worker that resumes unfinished transfers.</summary>
    public bool RunResumeWorker { get; set; } = true;
}
