using System.ComponentModel.DataAnnotations;
using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.PayeeService.Http402;

/// <summary>Who is paid on priced routes, in what, and what a 402 answer suggests (validated at start).</summary>
public sealed class PaymentRequiredOptions : IValidatableObject
{
    /// <summary>The payee address: a voucher pays only if its channel's payee is this address.</summary>
    [Required]
    public string PayTo { get; set; } = "";

    /// <summary>The token (0x address; the zero address for ETH): a channel in another asset does not pay.</summary>
    public string Asset { get; set; } = Address.Zero.ToString();

    /// <summary>The smallest deposit a 402 answer suggests for a new channel, in base units.</summary>
    public BigInteger MinDeposit { get; set; }

    /// <summary>How long an offer stands, in seconds (x402's <c>maxTimeoutSeconds</c>).</summary>
    [Range(1, 86_400)]
    public int MaxTimeoutSeconds { get; set; } = 60;

    /// <summary>The longest <see cref="StoreWait"/>: a request held longer than this would outlast most clients' timeouts.</summary>
    public static readonly TimeSpan MaxStoreWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a request whose voucher a concurrent larger one overtook waits for that larger voucher to be stored
    /// before it is charged from what is stored by then (on the payee's clock). Above zero, at most <see cref="MaxStoreWait"/>.
    /// </summary>
    public TimeSpan StoreWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The payee address, parsed.</summary>
    public Address GetPayTo() => Address.Parse(PayTo);

    /// <summary>The asset, parsed.</summary>
    public Address GetAsset() => Address.Parse(Asset);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Address.TryParse(PayTo, out _))
        {
            yield return new ValidationResult($"{nameof(PayTo)} must be a 0x address of 20 bytes; got '{PayTo}'.", [nameof(PayTo)]);
        }

        if (!Address.TryParse(Asset, out _))
        {
            yield return new ValidationResult($"{nameof(Asset)} must be a 0x address of 20 bytes (the zero address for ETH); got '{Asset}'.", [nameof(Asset)]);
        }

        if (MinDeposit.Sign < 0)
        {
            yield return new ValidationResult($"{nameof(MinDeposit)} is never negative.", [nameof(MinDeposit)]);
        }

        if (StoreWait <= TimeSpan.Zero || StoreWait > MaxStoreWait)
        {
            yield return new ValidationResult($"{nameof(StoreWait)} must be above zero and at most {MaxStoreWait}; got {StoreWait}.", [nameof(StoreWait)]);
        }
    }
}
