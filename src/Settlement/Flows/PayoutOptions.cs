using System.ComponentModel.DataAnnotations;
using Settlement.Ethereum.Addresses;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>The merchant payout batches. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class PayoutOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Settlement:Payouts";

    /// <summary>Whether the scheduler runs batches (Settlement:Payouts:Enabled).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The batch period (Settlement:Payouts:Interval): one batch per slot of this length since the Unix epoch; the
    /// batch id derives from the slot, so two runners in the same slot pay once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "31.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The smallest payout in whole pence (Settlement:Payouts:MinimumPence); below it the merchant waits.</summary>
    [Range(typeof(long), "1", "9223372036854775807")]
    public long MinimumPence { get; set; } = 100;

    /// <summary>The fee per payout in pence (Settlement:Payouts:FeePence); a payout it would swallow is skipped.</summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long FeePence { get; set; }

    /// <summary>The chain the merchants' wallets are indexed on (Settlement:Payouts:ChainId).</summary>
    [Range(typeof(ulong), "1", "9223372036854775807")]
    public ulong ChainId { get; set; }

    /// <summary>The ledger the stablecoin is indexed in (tGBP by default).</summary>
    [Range(typeof(uint), "1", "4294967295")]
    public uint TokenLedger { get; set; } = LedgerAssets.Tgbp;

    /// <summary>The merchants paid out (Settlement:Payouts:Merchants).</summary>
    public IList<PayoutMerchant> Merchants { get; } = [];

    /// <summary>The merchant with this id, or null.</summary>
    public PayoutMerchant? FindMerchant(string merchantId) =>
        Merchants.FirstOrDefault(m => string.Equals(m.Id, merchantId, StringComparison.Ordinal));

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Merchants.Count; i++)
        {
            var m = Merchants[i];
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(m, new ValidationContext(m), results, validateAllProperties: true))
            {
                foreach (var r in results)
                {
                    yield return new ValidationResult($"Settlement:Payouts:Merchants:{i}: {r.ErrorMessage}", [nameof(Merchants)]);
                }

                continue;
            }

            if (!Address.TryParse(m.Address, out _))
            {
                yield return new ValidationResult($"Settlement:Payouts:Merchants:{i}:Address '{m.Address}' is not an address.", [nameof(Merchants)]);
            }

            if (!seen.Add(m.Id!))
            {
                yield return new ValidationResult($"Settlement:Payouts:Merchants:{i}:Id '{m.Id}' appears twice.", [nameof(Merchants)]);
            }
        }
    }
}
