using System.ComponentModel.DataAnnotations;

namespace Settlement.Service.Storage.Sqlite;

/// <summary>Where the SQLite ledger lives. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class SqliteLedgerStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Ledger:Sqlite";

    /// <summary>The database file (Settlement:Ledger:Sqlite:Path); created owner-only (0600) if missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Path { get; set; }

    /// <summary>How long a write waits for another connection's write lock before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
