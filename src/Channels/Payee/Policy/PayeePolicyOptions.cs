using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Numerics;

namespace Settlement.Channels.Payee.Policy;

/// <summary>
/// When the payee redeems and closes on its own (configuration section <c>Payee:Policy</c>): the thresholds that make
/// a channel worth redeeming, the margin before a close deadline, idle closes, and the gas budget of a merchant's
/// <c>redeemBatch</c>. Validated at start; a bad setting names itself. docs/payee.md, "Redeem and close policy".
/// </summary>
public sealed class PayeePolicyOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Payee:Policy";

    /// <summary>Gas of a one-item <c>redeemBatch</c> minus one item (docs/gas.md, contract v2: 51,774 − 10,474, rounded up).</summary>
    public const long DefaultBatchBaseGas = 41_400;

    /// <summary>Gas per batch item (docs/gas.md, contract v2: 10,474 per extra channel, rounded up).</summary>
    public const long DefaultBatchItemGas = 10_500;

    /// <summary>Run the policy on a schedule in the payee service (off by default).</summary>
    public bool Enabled { get; set; }

    /// <summary>How often the hosted service plans and executes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A closing channel whose deadline is at most this far away, while the payee holds a voucher above what was
    /// redeemed, is redeemed at once in its own transaction (the dispute). Further away it goes into a batch first.
    /// </summary>
    public TimeSpan DisputeMargin { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// An open channel whose remaining credit is below this share of its deposit, in basis points (1000 = 10 %),
    /// is redeemed; 0 turns the rule off.
    /// </summary>
    [Range(0, 10_000)]
    public int ExhaustedBelowBasisPoints { get; set; } = 1_000;

    /// <summary>An open channel whose remaining credit is below this many base units is redeemed (null: off).</summary>
    public string? ExhaustedBelowAmount { get; set; }

    /// <summary>An open channel holding more than this many base units not yet redeemed is redeemed (null: off).</summary>
    public string? UnredeemedAbove { get; set; }

    /// <summary>
    /// An open channel with no new voucher for this long is closed by the payee (its newest voucher redeemed with
    /// <c>startCloseWithVoucher</c>) and settled after the deadline; null turns idle closes off.
    /// </summary>
    public TimeSpan? IdleCloseAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long the payer has to close an idle channel cooperatively once the payee asked (a stored close request the
    /// payer sees on the payee service): after it the payee closes unilaterally. Null: no request, the payee closes
    /// unilaterally as soon as the channel is idle.
    /// </summary>
    public TimeSpan? IdleCloseGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Settle closing channels whose deadline has passed.</summary>
    public bool SettleAfterDeadline { get; set; } = true;

    /// <summary>Group redeems (except disputes) into one <c>redeemBatch</c> per token; false sends one <c>redeem</c> each.</summary>
    public bool UseBatch { get; set; } = true;

    /// <summary>Gas one <c>redeemBatch</c> transaction may use; items that do not fit wait for the next run.</summary>
    [Range(1, 100_000_000)]
    public long BatchGasBudget { get; set; } = 1_000_000;

    /// <summary>Fixed gas of a <c>redeemBatch</c> transaction (21,000 base included).</summary>
    [Range(0, 100_000_000)]
    public long BatchBaseGas { get; set; } = DefaultBatchBaseGas;

    /// <summary>Gas of each item of a <c>redeemBatch</c>.</summary>
    [Range(1, 100_000_000)]
    public long BatchItemGas { get; set; } = DefaultBatchItemGas;

    /// <summary>The parsed <see cref="ExhaustedBelowAmount"/> (validated first).</summary>
    public BigInteger? GetExhaustedBelowAmount() => Parse(ExhaustedBelowAmount);

    /// <summary>The parsed <see cref="UnredeemedAbove"/> (validated first).</summary>
    public BigInteger? GetUnredeemedAbove() => Parse(UnredeemedAbove);

    /// <summary>Copies every setting to <paramref name="target"/> (to hand a built instance to the options pattern).</summary>
    public void CopyTo(PayeePolicyOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Enabled = Enabled;
        target.Interval = Interval;
        target.DisputeMargin = DisputeMargin;
        target.ExhaustedBelowBasisPoints = ExhaustedBelowBasisPoints;
        target.ExhaustedBelowAmount = ExhaustedBelowAmount;
        target.UnredeemedAbove = UnredeemedAbove;
        target.IdleCloseAfter = IdleCloseAfter;
        target.IdleCloseGrace = IdleCloseGrace;
        target.SettleAfterDeadline = SettleAfterDeadline;
        target.UseBatch = UseBatch;
        target.BatchGasBudget = BatchGasBudget;
        target.BatchBaseGas = BatchBaseGas;
        target.BatchItemGas = BatchItemGas;
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"Payee:Policy:Interval must be positive; got '{Interval}'.", [nameof(Interval)]);
        }

        if (DisputeMargin < TimeSpan.Zero)
        {
            yield return new ValidationResult($"Payee:Policy:DisputeMargin must not be negative; got '{DisputeMargin}'.", [nameof(DisputeMargin)]);
        }

        if (IdleCloseAfter is { } idle && idle <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"Payee:Policy:IdleCloseAfter must be positive (or unset to turn idle closes off); got '{idle}'.", [nameof(IdleCloseAfter)]);
        }

        if (IdleCloseGrace is { } grace && grace <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"Payee:Policy:IdleCloseGrace must be positive (or unset to close idle channels unilaterally at once); got '{grace}'.", [nameof(IdleCloseGrace)]);
        }

        foreach (var (name, text) in new[] { (nameof(ExhaustedBelowAmount), ExhaustedBelowAmount), (nameof(UnredeemedAbove), UnredeemedAbove) })
        {
            if (text is not null && Parse(text) is null)
            {
                yield return new ValidationResult($"Payee:Policy:{name} must be a positive whole number of base units; got '{text}'.", [name]);
            }
        }

        if (BatchGasBudget < BatchBaseGas + BatchItemGas)
        {
            yield return new ValidationResult(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"Payee:Policy:BatchGasBudget ({BatchGasBudget}) must be at least BatchBaseGas + BatchItemGas ({BatchBaseGas + BatchItemGas}): no batch of one item would fit."),
                [nameof(BatchGasBudget)]);
        }
    }

    private static BigInteger? Parse(string? text) =>
        BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value.Sign > 0 ? value : null;
}
