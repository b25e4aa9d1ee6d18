using System.ComponentModel.DataAnnotations;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Indexer;

namespace Settlement.SettlementService;

/// <summary>
/// The settlement service's settings (configuration section <see cref="SectionName"/>): where it listens, the ledger
/// database, the chain node and deployment the indexer follows, the retry and shutdown budgets, and the optional
/// open-banking configuration. A bad value is refused at start with a message naming <c>Settlement:Service:…</c>.
/// </summary>
public sealed class SettlementServiceOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Service";

    /// <summary>TCP port on 127.0.0.1 (0 = any free port).</summary>
    [Range(0, 65_535)]
    public int Port { get; set; } = 7080;

    /// <summary>
    /// The ledger database: a SQLite file path (created when missing), or a PostgreSQL connection string
    /// (<c>Host=…;Database=…</c> or <c>postgres://…</c>), as <c>--db</c> of <c>l2pay settle index</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Database { get; set; } = "settlement.db";

    /// <summary>Run the chain indexer follower (the chain settings below are required only when it runs).</summary>
    public bool IndexerEnabled { get; set; } = true;

    /// <summary>The chain node's JSON-RPC URL.</summary>
    public Uri? RpcUrl { get; set; }

    /// <summary>The chain id the node must serve.</summary>
    public ulong ChainId { get; set; }

    /// <summary>The channel contract's address.</summary>
    public string? Contract { get; set; }

    /// <summary>The stablecoin's address.</summary>
    public string? Token { get; set; }

    /// <summary>First block to index when the ledger has no checkpoint (the contracts' deployment block).</summary>
    public ulong StartBlock { get; set; }

    /// <summary>Blocks on top of a block before it is booked.</summary>
    [Range(0, 10_000)]
    public int Confirmations { get; set; } = 12;

    /// <summary>Largest <c>eth_getLogs</c> range in blocks (the indexer halves it when the node refuses).</summary>
    [Range(1, 1_000_000)]
    public int MaxBlockRange { get; set; } = 10_000;

    /// <summary>How long the follower waits after catching up before polling again.</summary>
    public TimeSpan IndexerPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The follower's first wait after a failed poll; it doubles with each further failure.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between failed polls.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>/health</c> answers 503 when the indexer is more than this many confirmed blocks behind (0 = never).</summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long MaxLagBlocks { get; set; }

    /// <summary>How often pending (two-phase) ledger transfers past their timeout are expired.</summary>
    public TimeSpan PendingExpiryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A JSON file with an <c>OpenBanking</c> section (banks, transfer database; docs/openbanking.md). When set, the
    /// connector, the transfer resume worker and <c>POST /open-banking/{bank}/event-notifications</c> run.
    /// </summary>
    public string? OpenBankingConfigPath { get; set; }

    /// <summary>How often the resume worker advances unfinished bank transfers.</summary>
    public TimeSpan TransferResumeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a stop may take: requests in flight and the indexer's current poll finish within it; past it they are
    /// cancelled (the poll's store write is one transaction, so nothing half-written remains).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>True if <see cref="Database"/> names a PostgreSQL database rather than a SQLite file.</summary>
    public bool IsPostgreSql =>
        Database.Contains("Host=", StringComparison.OrdinalIgnoreCase)
        || Database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || Database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The indexer's options derived from these settings.</summary>
    public IndexerOptions ToIndexerOptions() => new()
    {
        ChainId = ChainId,
        ChannelContract = Contract,
        Token = Token,
        StartBlock = StartBlock,
        Confirmations = Confirmations,
        MaxBlockRange = MaxBlockRange,
        InitialBlockRange = Math.Min(new IndexerOptions().InitialBlockRange, MaxBlockRange),
        PollInterval = IndexerPollInterval,
    };

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IndexerEnabled)
        {
            if (RpcUrl is null)
            {
                yield return Problem(nameof(RpcUrl), "is required while the indexer runs.");
            }

            if (ChainId is 0 or > long.MaxValue)
            {
                yield return Problem(nameof(ChainId), $"must be between 1 and {long.MaxValue}; got {ChainId}.");
            }

            if (!Address.TryParse(Contract, out _))
            {
                yield return Problem(nameof(Contract), $"must be a 20-byte 0x-hex address; got '{Contract}'.");
            }

            if (!Address.TryParse(Token, out _))
            {
                yield return Problem(nameof(Token), $"must be a 20-byte 0x-hex address; got '{Token}'.");
            }
        }

        if (RpcUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return Problem(nameof(RpcUrl), $"must be an absolute http(s) URL; got '{url}'.");
        }

        foreach (var (name, value, max) in new[]
        {
            (nameof(IndexerPollInterval), IndexerPollInterval, TimeSpan.FromHours(1)),
            (nameof(RetryBaseDelay), RetryBaseDelay, TimeSpan.FromHours(1)),
            (nameof(RetryMaxDelay), RetryMaxDelay, TimeSpan.FromHours(1)),
            (nameof(PendingExpiryInterval), PendingExpiryInterval, TimeSpan.FromHours(1)),
            (nameof(TransferResumeInterval), TransferResumeInterval, TimeSpan.FromHours(1)),
            (nameof(ShutdownTimeout), ShutdownTimeout, TimeSpan.FromHours(1)),
        })
        {
            if (value <= TimeSpan.Zero || value > max)
            {
                yield return Problem(name, $"must be positive and at most {max}; got {value}.");
            }
        }

        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return Problem(nameof(RetryMaxDelay), $"must not be below RetryBaseDelay ({RetryBaseDelay}); got {RetryMaxDelay}.");
        }

        if (OpenBankingConfigPath is { } path && !File.Exists(path))
        {
            yield return Problem(nameof(OpenBankingConfigPath), $"file '{path}' does not exist.");
        }
    }

    /// <summary>Validates everything; throws with every problem named (<c>Settlement:Service:Setting: why</c>).</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        if (results.Count > 0)
        {
            throw new ArgumentException("Invalid settlement service settings: " + string.Join(" ", results.Select(Describe)));
        }
    }

    private static string Describe(ValidationResult result) =>
        result.ErrorMessage is { } message && message.StartsWith(SectionName, StringComparison.Ordinal)
            ? message
            : $"{SectionName}:{result.MemberNames.FirstOrDefault()}: {result.ErrorMessage}";

    private static ValidationResult Problem(string member, string message) => new($"{SectionName}:{member}: {message}", [member]);
}
