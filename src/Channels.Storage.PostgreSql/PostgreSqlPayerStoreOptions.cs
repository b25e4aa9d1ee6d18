using System.ComponentModel.DataAnnotations;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>Which PostgreSQL database holds the payer's state. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class PostgreSqlPayerStoreOptions : IPostgreSqlStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Payer:Storage:PostgreSql";

    /// <summary>The Npgsql connection string (Payer:Storage:PostgreSql:ConnectionString).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? ConnectionString { get; set; }

    /// <summary>How many times a voucher batch is retried after a serialization failure or deadlock (SQLSTATE 40001 / 40P01).</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 10;
}
