using System.ComponentModel.DataAnnotations;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>Where the payee's SQLite voucher store lives. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class SqliteVoucherStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Payee:Storage:Sqlite";

    /// <summary>The database file (Payee:Storage:Sqlite:Path); created owner-only (0600) if missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Path { get; set; }

    /// <summary>How long a write waits for another connection's write lock before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
