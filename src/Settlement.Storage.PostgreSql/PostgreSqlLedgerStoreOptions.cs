using System.ComponentModel.DataAnnotations;

namespace Settlement.Service.Storage.PostgreSql;

/// <summary>Where the PostgreSQL ledger lives. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class PostgreSqlLedgerStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Ledger:PostgreSql";

    /// <summary>The connection string (Settlement:Ledger:PostgreSql:ConnectionString).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? ConnectionString { get; set; }

    /// <summary>Retries of a batch after a serialization failure, deadlock or a concurrent insert of the same id.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 10;
}
