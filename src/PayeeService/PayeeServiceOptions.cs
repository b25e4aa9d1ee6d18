using System.ComponentModel.DataAnnotations;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Policy;

namespace Settlement.PayeeService;

/// <summary>
/// The payee service's settings: where it listens, which database, which chain node and deployment, the receipt
/// cadence and the per-connection limits. <see cref="Engine"/> holds the engine's own settings.
/// </summary>
public sealed class PayeeServiceOptions : IValidatableObject
{
    /// <summary>TCP port on 127.0.0.1 (0 = any free port).</summary>
    [Range(0, 65_535)]
    public int Port { get; set; }

    /// <summary>
    /// The voucher database: a SQLite file path (the embedded default), or a PostgreSQL connection string
    /// (<c>Host=…;Database=…</c>) for several payee instances sharing one database.
    /// </summary>
    [Required]
    public string Database { get; set; } = "payee.db";

    /// <summary>The chain node's JSON-RPC URL (read for confirmed channel state and events).</summary>
    [Required]
    public Uri? RpcUrl { get; set; }

    /// <summary>Blocks that must follow a block before a deposit or a close in it counts.</summary>
    [Range(0, 1_000)]
    public int Confirmations { get; set; } = 1;

    /// <summary>How often the chain is polled for newly confirmed channel events.</summary>
    public TimeSpan ChainPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A signed receipt is sent at least every this many accepted vouchers of a channel on a connection.</summary>
    [Range(1, ushort.MaxValue)]
    public int ReceiptEveryVouchers { get; set; } = 100;

    /// <summary>…and at least every this many seconds while a channel is paying on a connection.</summary>
    [Range(1, ushort.MaxValue)]
    public int ReceiptEverySeconds { get; set; } = 5;

    /// <summary>Vouchers of one connection being verified or written at once; further frames wait (back-pressure).</summary>
    [Range(1, ushort.MaxValue)]
    public int MaxInFlightPerConnection { get; set; } = 256;

    /// <summary>Streaming connections at once; more are refused with 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Malformed frames tolerated on one connection before it is closed.</summary>
    [Range(0, 1_000_000)]
    public int MaxBadFramesPerConnection { get; set; } = 64;

    /// <summary>A connection that sends nothing (not even a ping) for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A client that does not read its acknowledgements for this long is disconnected.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The bearer token of the operator endpoints (<c>POST …/refunds</c>, docs/payee.md "Refunds"): a request must carry
    /// <c>Authorization: Bearer &lt;token&gt;</c>. Unset (the default) turns those endpoints off (403). At least 16
    /// characters; keep it out of logs and command lines (set it through the environment).
    /// </summary>
    [MinLength(16)]
    public string? OperatorToken { get; set; }

    /// <summary>The engine's settings (chain id, contract, velocity rules…).</summary>
    [Required]
    public PayeeOptions Engine { get; set; } = new();

    /// <summary>
    /// When the payee redeems and closes on its own (section <c>Payee:Policy</c>); off unless
    /// <see cref="PayeePolicyOptions.Enabled"/>, which also needs the payee's key.
    /// </summary>
    [Required]
    public PayeePolicyOptions Policy { get; set; } = new();

    /// <summary>Forwarding of accepted vouchers to a watchtower (off unless <c>Watchtower:Url</c> is set).</summary>
    [Required]
    public Watchtower.WatchtowerForwardingOptions Watchtower { get; set; } = new();

    /// <summary>True if <see cref="Database"/> names a PostgreSQL database rather than a SQLite file.</summary>
    public bool IsPostgreSql =>
        Database.Contains("Host=", StringComparison.OrdinalIgnoreCase)
        || Database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || Database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RpcUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"RpcUrl must be an absolute http(s) URL; got '{url}'.", [nameof(RpcUrl)]);
        }

        if (ChainPollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("ChainPollInterval must be positive.", [nameof(ChainPollInterval)]);
        }

        if (IdleTimeout <= TimeSpan.Zero || SendTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("IdleTimeout and SendTimeout must be positive.", [nameof(IdleTimeout)]);
        }

        var nested = new List<ValidationResult>();
        _ = Validator.TryValidateObject(Engine, new ValidationContext(Engine), nested, validateAllProperties: true);
        _ = Validator.TryValidateObject(Watchtower, new ValidationContext(Watchtower), nested, validateAllProperties: true);
        foreach (var result in nested)
        {
            yield return result;
        }

        nested.Clear();
        if (!Validator.TryValidateObject(Policy, new ValidationContext(Policy), nested, validateAllProperties: true))
        {
            foreach (var result in nested)
            {
                yield return result;
            }
        }
    }

    /// <summary>Validates everything; throws with every problem named.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        if (results.Count > 0)
        {
            throw new ArgumentException("Invalid payee service settings: " + string.Join(" ", results.Select(r => r.ErrorMessage)));
        }
    }
}
