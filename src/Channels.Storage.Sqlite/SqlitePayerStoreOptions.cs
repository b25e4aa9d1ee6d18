using System.ComponentModel.DataAnnotations;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>Where the payer's SQLite store lives. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class SqlitePayerStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Payer:Storage:Sqlite";

    /// <summary>The database file (Payer:Storage:Sqlite:Path); created owner-only (0600) if missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Path { get; set; }
}
