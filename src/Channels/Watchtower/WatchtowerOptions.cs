using System.ComponentModel.DataAnnotations;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The watchtower's settings (configuration section <c>Watchtower</c>): which deployment it guards, how far behind
/// the head it reads, how it catches up and how much time it wants left before a challenge window ends.
/// </summary>
public sealed class WatchtowerOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Watchtower";

    /// <summary>The chain id of the channel contract (Watchtower:ChainId).</summary>
    [Range(typeof(ulong), "1", "18446744073709551615")]
    public ulong ChainId { get; set; }

    /// <summary>The <c>SettlementChannels</c> contract address (Watchtower:Contract, 0x + 40 hex digits).</summary>
    [Required]
    public string Contract { get; set; } = "";

    /// <summary>Blocks that must follow a block before its events are read (0 reads up to the head).</summary>
    [Range(0, 1000)]
    public int Confirmations { get; set; } = 2;

    /// <summary>Time between two polls of the chain.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most blocks read by one <c>eth_getLogs</c> call while catching up (one checkpoint per range).</summary>
    [Range(1, 100_000)]
    public int MaxBlockRange { get; set; } = 2_000;

    /// <summary>How many recent checkpoints (block number + hash) are kept to find where a reorg forked.</summary>
    [Range(2, 10_000)]
    public int RecentBlocks { get; set; } = 128;

    /// <summary>
    /// Time the watchtower wants left before a close deadline when it answers a close. A close found with less time left
    /// is still answered, and also raises a <see cref="WatchtowerAlertKind.LateDispute"/> alert.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Settle a guarded channel once its challenge window is over, so the payee is paid without acting.</summary>
    public bool SettleAfterDeadline { get; set; }

    /// <summary>
    /// The first block to read when the store has no checkpoint yet; null starts at the confirmed head of the first
    /// poll (closes before it are found from the channel state when a delegation arrives).
    /// </summary>
    public ulong? StartBlock { get; set; }

    /// <summary>The parsed <see cref="Contract"/> (a method, not a property: validators read every property).</summary>
    /// <exception cref="FormatException">Not an address (validation reports it first).</exception>
    public Address GetContractAddress() => Address.Parse(Contract);

    /// <summary>Copies every setting to <paramref name="target"/> (to hand a built instance to the options pattern).</summary>
    public void CopyTo(WatchtowerOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.ChainId = ChainId;
        target.Contract = Contract;
        target.Confirmations = Confirmations;
        target.PollInterval = PollInterval;
        target.MaxBlockRange = MaxBlockRange;
        target.RecentBlocks = RecentBlocks;
        target.SafetyMargin = SafetyMargin;
        target.SettleAfterDeadline = SettleAfterDeadline;
        target.StartBlock = StartBlock;
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Address.TryParse(Contract, out var contract) || contract == Address.Zero)
        {
            yield return new ValidationResult("Watchtower:Contract must be a non-zero address (0x + 40 hex digits).", [nameof(Contract)]);
        }
    }
}
