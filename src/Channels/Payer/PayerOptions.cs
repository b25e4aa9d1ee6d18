using System.ComponentModel.DataAnnotations;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payer;

/// <summary>
/// The payer client's settings when it is built by dependency injection (configuration section <c>Payer</c>, see
/// <see cref="PayerServiceCollectionExtensions.AddPayerClient"/>): which channel contract it pays through, whose
/// receipts it trusts, the reconnect back-off and how many blocks must bury a deposit before it counts.
/// </summary>
public sealed class PayerOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Payer";

    /// <summary>The <c>SettlementChannels</c> contract address (0x + 40 hex digits; required, checked by <see cref="Validate"/>).</summary>
    public string Contract { get; set; } = "";

    /// <summary>The payee's receipt signer when it is not the channel's payee (0x + 40 hex digits), or null.</summary>
    public string? ReceiptSigner { get; set; }

    /// <summary>The first wait before reconnecting to a payee; doubled up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait before resending a voucher the payee answered <c>Unavailable</c> or <c>VelocityLimit</c>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Blocks that must follow the block a deposit is read at (0: the newest block).</summary>
    public int DepositConfirmations { get; set; }

    /// <summary>How often <see cref="PayerChannel.WaitForDepositAsync"/> reads the chain until a deposit is confirmed. Positive.</summary>
    public TimeSpan DepositPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The parsed <see cref="Contract"/> (a method, not a property: validators read every property).</summary>
    /// <exception cref="FormatException">Not an address (validation reports it first).</exception>
    public Address GetContractAddress() => Address.Parse(Contract);

    /// <summary>The parsed <see cref="ReceiptSigner"/>, or null.</summary>
    /// <exception cref="FormatException">Not an address (validation reports it first).</exception>
    public Address? GetReceiptSigner() => string.IsNullOrEmpty(ReceiptSigner) ? null : Address.Parse(ReceiptSigner);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Address.TryParse(Contract, out _))
        {
            yield return new ValidationResult($"Payer:Contract must be a 20-byte hex address; got '{Contract}'.", [nameof(Contract)]);
        }

        if (!string.IsNullOrEmpty(ReceiptSigner) && !Address.TryParse(ReceiptSigner, out _))
        {
            yield return new ValidationResult($"Payer:ReceiptSigner must be a 20-byte hex address; got '{ReceiptSigner}'.", [nameof(ReceiptSigner)]);
        }

        if (ReconnectInitialDelay <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Payer:ReconnectInitialDelay must be positive.", [nameof(ReconnectInitialDelay)]);
        }

        if (ReconnectMaxDelay < ReconnectInitialDelay)
        {
            yield return new ValidationResult("Payer:ReconnectMaxDelay must not be shorter than Payer:ReconnectInitialDelay.", [nameof(ReconnectMaxDelay)]);
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Payer:ConnectTimeout must be positive.", [nameof(ConnectTimeout)]);
        }

        if (RetryDelay <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Payer:RetryDelay must be positive.", [nameof(RetryDelay)]);
        }

        if (DepositPollInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Payer:DepositPollInterval must be positive.", [nameof(DepositPollInterval)]);
        }

        if (DepositConfirmations is < 0 or > 1_000)
        {
            yield return new ValidationResult("Payer:DepositConfirmations must be between 0 and 1000.", [nameof(DepositConfirmations)]);
        }
    }
}
