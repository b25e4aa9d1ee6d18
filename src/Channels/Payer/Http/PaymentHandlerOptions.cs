using System.ComponentModel.DataAnnotations;
using System.Numerics;

namespace Settlement.Channels.Payer.Http;

/// <summary>Limits of <see cref="PaymentRequiredHandler"/>: what it may pay without asking.</summary>
public sealed class PaymentHandlerOptions : IValidatableObject
{
    /// <summary>The most one request may cost, in base units; a 402 asking more is returned to the caller unpaid.</summary>
    public BigInteger MaxAmountPerRequest { get; set; }

    /// <summary>How many 402 answers one request may get before the last is returned (a stale voucher, a race).</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Attach a voucher to requests for routes already known to be priced, saving the 402 round trip.</summary>
    public bool PayUpFront { get; set; } = true;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxAmountPerRequest.Sign <= 0)
        {
            yield return new ValidationResult($"{nameof(MaxAmountPerRequest)} must be above 0 (base units).", [nameof(MaxAmountPerRequest)]);
        }
    }

    /// <summary>Throws if a setting is invalid.</summary>
    /// <exception cref="ArgumentException">The message names the setting.</exception>
    public void ThrowIfInvalid()
    {
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), errors, validateAllProperties: true))
        {
            throw new ArgumentException(string.Join(" ", errors.Select(e => e.ErrorMessage)));
        }
    }
}
