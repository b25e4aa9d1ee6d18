using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer;

/// <summary>What the chain indexer follows and how. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class IndexerOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Indexer";

    /// <summary>The chain id the node must serve (Settlement:Indexer:ChainId).</summary>
    [Range(typeof(ulong), "1", "9223372036854775807")]
    public ulong ChainId { get; set; }

    /// <summary>The channel contract's address (Settlement:Indexer:ChannelContract).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? ChannelContract { get; set; }

    /// <summary>The stablecoin's address (Settlement:Indexer:Token); channels in other tokens are recorded, not booked.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Token { get; set; }

    /// <summary>The ledger the stablecoin is booked in (Settlement:Indexer:TokenLedger); tGBP by default.</summary>
    [Range(typeof(uint), "1", "4294967295")]
    public uint TokenLedger { get; set; } = LedgerAssets.Tgbp;

    /// <summary>The stream's name in the store; default <c>chainId:contract:token</c> (Settlement:Indexer:Stream).</summary>
    [StringLength(200)]
    public string? Stream { get; set; }

    /// <summary>The first block to index when the stream has no checkpoint (the contracts' deployment block).</summary>
    public ulong StartBlock { get; set; }

    /// <summary>Blocks that must be mined on top of a block before it is indexed (Settlement:Indexer:Confirmations).</summary>
    [Range(0, 10_000)]
    public int Confirmations { get; set; } = 12;

    /// <summary>The first <c>eth_getLogs</c> range, in blocks.</summary>
    [Range(1, 1_000_000)]
    public int InitialBlockRange { get; set; } = 2_000;

    /// <summary>The smallest range the indexer halves down to; a node that refuses even this is an error.</summary>
    [Range(1, 1_000_000)]
    public int MinBlockRange { get; set; } = 1;

    /// <summary>The largest range the indexer grows back to after successes.</summary>
    [Range(1, 1_000_000)]
    public int MaxBlockRange { get; set; } = 10_000;

    /// <summary>How long a follower waits after catching up before polling again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The stream name in effect.</summary>
    public string StreamName => Stream is { Length: > 0 } s
        ? s
        : string.Create(CultureInfo.InvariantCulture, $"{ChainId}:{ChannelContract?.ToLowerInvariant()}:{Token?.ToLowerInvariant()}");

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ChannelContract is { Length: > 0 } contract && !Address.TryParse(contract, out _))
        {
            yield return new ValidationResult($"Settlement:Indexer:ChannelContract '{contract}' is not an address.", [nameof(ChannelContract)]);
        }

        if (Token is { Length: > 0 } token && !Address.TryParse(token, out _))
        {
            yield return new ValidationResult($"Settlement:Indexer:Token '{token}' is not an address.", [nameof(Token)]);
        }

        if (MinBlockRange > InitialBlockRange || InitialBlockRange > MaxBlockRange)
        {
            yield return new ValidationResult(
                $"Settlement:Indexer block ranges must satisfy MinBlockRange ({MinBlockRange}) ≤ InitialBlockRange ({InitialBlockRange}) ≤ MaxBlockRange ({MaxBlockRange}).",
                [nameof(MinBlockRange), nameof(InitialBlockRange), nameof(MaxBlockRange)]);
        }
    }
}
