using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Numerics;

namespace Settlement.Channels.Payee.Velocity;

/// <summary>
/// Velocity rules: for each rule a flag limit (a voucher above it is accepted and a <see cref="VelocityFlag"/> is
/// raised) and a higher refuse limit (a voucher above it is refused with <see cref="VoucherRejectCode.VelocityLimit"/>
/// and flagged). A limit left empty switches that half of the rule off. Windows are fixed: the current second
/// for payment counts, the current minute for value. Value limits are base units written as decimal integers.
/// </summary>
public sealed class VelocityOptions : IValidatableObject
{
    /// <summary>Vouchers per second in one channel above which a flag is raised.</summary>
    [Range(1, int.MaxValue)]
    public int? ChannelPaymentsPerSecondFlag { get; set; }

    /// <summary>Vouchers per second in one channel above which vouchers are refused.</summary>
    [Range(1, int.MaxValue)]
    public int? ChannelPaymentsPerSecondRefuse { get; set; }

    /// <summary>Value per minute in one channel (base units) above which a flag is raised.</summary>
    public string? ChannelValuePerMinuteFlag { get; set; }

    /// <summary>Value per minute in one channel (base units) above which vouchers are refused.</summary>
    public string? ChannelValuePerMinuteRefuse { get; set; }

    /// <summary>Vouchers per second across one payer's channels above which a flag is raised.</summary>
    [Range(1, int.MaxValue)]
    public int? PayerPaymentsPerSecondFlag { get; set; }

    /// <summary>Vouchers per second across one payer's channels above which vouchers are refused.</summary>
    [Range(1, int.MaxValue)]
    public int? PayerPaymentsPerSecondRefuse { get; set; }

    /// <summary>Value per minute across one payer's channels (base units) above which a flag is raised.</summary>
    public string? PayerValuePerMinuteFlag { get; set; }

    /// <summary>Value per minute across one payer's channels (base units) above which vouchers are refused.</summary>
    public string? PayerValuePerMinuteRefuse { get; set; }

    /// <summary>True if no rule is configured (the guard is skipped).</summary>
    public bool IsEmpty =>
        ChannelPaymentsPerSecondFlag is null && ChannelPaymentsPerSecondRefuse is null
        && ChannelValuePerMinuteFlag is null && ChannelValuePerMinuteRefuse is null
        && PayerPaymentsPerSecondFlag is null && PayerPaymentsPerSecondRefuse is null
        && PayerValuePerMinuteFlag is null && PayerValuePerMinuteRefuse is null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, text) in new[]
        {
            (nameof(ChannelValuePerMinuteFlag), ChannelValuePerMinuteFlag),
            (nameof(ChannelValuePerMinuteRefuse), ChannelValuePerMinuteRefuse),
            (nameof(PayerValuePerMinuteFlag), PayerValuePerMinuteFlag),
            (nameof(PayerValuePerMinuteRefuse), PayerValuePerMinuteRefuse),
        })
        {
            if (text is not null && ParseAmount(text) is null)
            {
                yield return new ValidationResult($"Payee:Velocity:{name} must be a positive whole number of base units; got '{text}'.", [name]);
            }
        }

        if (ChannelPaymentsPerSecondFlag > ChannelPaymentsPerSecondRefuse)
        {
            yield return new ValidationResult(
                "Payee:Velocity:ChannelPaymentsPerSecondFlag must not be above ChannelPaymentsPerSecondRefuse (flag first, then refuse).",
                [nameof(ChannelPaymentsPerSecondFlag)]);
        }

        if (PayerPaymentsPerSecondFlag > PayerPaymentsPerSecondRefuse)
        {
            yield return new ValidationResult(
                "Payee:Velocity:PayerPaymentsPerSecondFlag must not be above PayerPaymentsPerSecondRefuse (flag first, then refuse).",
                [nameof(PayerPaymentsPerSecondFlag)]);
        }

        // The value rules have the same order as the count rules (docs/payee.md: a flag limit and a higher refuse limit).
        if (ParseAmount(ChannelValuePerMinuteFlag) > ParseAmount(ChannelValuePerMinuteRefuse))
        {
            yield return new ValidationResult(
                "Payee:Velocity:ChannelValuePerMinuteFlag must not be above ChannelValuePerMinuteRefuse (flag first, then refuse).",
                [nameof(ChannelValuePerMinuteFlag)]);
        }

        if (ParseAmount(PayerValuePerMinuteFlag) > ParseAmount(PayerValuePerMinuteRefuse))
        {
            yield return new ValidationResult(
                "Payee:Velocity:PayerValuePerMinuteFlag must not be above PayerValuePerMinuteRefuse (flag first, then refuse).",
                [nameof(PayerValuePerMinuteFlag)]);
        }
    }

    internal static BigInteger? ParseAmount(string? text) =>
        text is not null
        && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && value.Sign > 0
            ? value
            : null;
}
