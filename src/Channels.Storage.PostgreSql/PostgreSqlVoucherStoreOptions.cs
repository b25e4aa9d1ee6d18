using System.ComponentModel.DataAnnotations;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>Which PostgreSQL database holds the payee's vouchers. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class PostgreSqlVoucherStoreOptions : IPostgreSqlStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Payee:Storage:PostgreSql";

    /// <summary>The Npgsql connection string (Payee:Storage:PostgreSql:ConnectionString).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? ConnectionString { get; set; }

    /// <summary>How many times a batch is retried after a serialization failure or deadlock (SQLSTATE 40001 / 40P01),
    /// which a distributed PostgreSQL-compatible database reports under contention.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 10;
}
