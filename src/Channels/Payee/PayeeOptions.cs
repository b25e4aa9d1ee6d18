using System.ComponentModel.DataAnnotations;
using Settlement.Channels.Payee.Velocity;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee;

/// <summary>
/// The payee engine's settings (configuration section <c>Payee</c>): which deployment it serves, the safety margin
/// before a close deadline, group-commit sizes and the velocity rules.
/// </summary>
public sealed class PayeeOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Payee";

    /// <summary>The chain id of the channel contract.</summary>
    [Range(typeof(ulong), "1", "18446744073709551615")]
    public ulong ChainId { get; set; }

    /// <summary>The <c>SettlementChannels</c> contract address (0x + 40 hex digits).</summary>
    [Required]
    public string Contract { get; set; } = "";

    /// <summary>A closing channel whose deadline is nearer than this is refused with <c>DeadlineTooNear</c>.</summary>
    public TimeSpan DeadlineMargin { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a close agreement the payee signs is valid: its deadline is the engine's clock plus this, in unix
    /// seconds. Short keeps the pause in accepting vouchers short (docs/protocol.md, "the client rule").
    /// </summary>
    public TimeSpan CloseAgreementValidity { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long after a close agreement's deadline the engine still refuses vouchers above the agreed amount
    /// (<c>CloseAgreed</c>). The deadline is checked on chain against <c>block.timestamp</c>, which may run ahead of or
    /// behind this host's clock and only advances per block; the margin covers both.
    /// </summary>
    public TimeSpan CloseAgreementSkewMargin { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most vouchers written in one transaction (one flush).</summary>
    [Range(1, 65_536)]
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>Vouchers waiting to be written before callers wait (back-pressure).</summary>
    [Range(1, 1_048_576)]
    public int WriteQueueCapacity { get; set; } = 16_384;

    /// <summary>How long an unknown channel id is remembered as unknown, so a flood of random ids does not reach the chain.</summary>
    public TimeSpan UnknownChannelCacheTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Velocity rules (off unless configured).</summary>
    [Required]
    public VelocityOptions Velocity { get; set; } = new();

    /// <summary>The parsed <see cref="Contract"/> (a method, not a property: validators read every property).</summary>
    /// <exception cref="FormatException">Not an address (validation reports it first).</exception>
    public Address GetContractAddress() => Address.Parse(Contract);

    /// <summary>Copies every setting to <paramref name="target"/> (to hand a built instance to the options pattern).</summary>
    public void CopyTo(PayeeOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.ChainId = ChainId;
        target.Contract = Contract;
        target.DeadlineMargin = DeadlineMargin;
        target.CloseAgreementValidity = CloseAgreementValidity;
        target.CloseAgreementSkewMargin = CloseAgreementSkewMargin;
        target.MaxBatchSize = MaxBatchSize;
        target.WriteQueueCapacity = WriteQueueCapacity;
        target.UnknownChannelCacheTime = UnknownChannelCacheTime;
        target.Velocity = Velocity;
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Address.TryParse(Contract, out _))
        {
            yield return new ValidationResult($"Payee:Contract must be a 20-byte hex address; got '{Contract}'.", [nameof(Contract)]);
        }

        if (DeadlineMargin < TimeSpan.Zero)
        {
            yield return new ValidationResult("Payee:DeadlineMargin must not be negative.", [nameof(DeadlineMargin)]);
        }

        if (CloseAgreementValidity < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Payee:CloseAgreementValidity must be at least 1 second.", [nameof(CloseAgreementValidity)]);
        }

        if (CloseAgreementSkewMargin < TimeSpan.Zero)
        {
            yield return new ValidationResult("Payee:CloseAgreementSkewMargin must not be negative.", [nameof(CloseAgreementSkewMargin)]);
        }

        if (UnknownChannelCacheTime < TimeSpan.Zero)
        {
            yield return new ValidationResult("Payee:UnknownChannelCacheTime must not be negative.", [nameof(UnknownChannelCacheTime)]);
        }

        foreach (var result in Velocity.Validate(validationContext))
        {
            yield return result;
        }
    }
}
