using System.ComponentModel.DataAnnotations;

namespace Settlement.Service.Flows;

/// <summary>The flows' runner. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class SettlementFlowOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Flows";

    /// <summary>How often every unfinished flow is advanced (Settlement:Flows:ResumeInterval); also once at start.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The indexer stream whose booked events confirm the flows' transactions (Settlement:Flows:IndexerStream).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? IndexerStream { get; set; }
}
