namespace Settlement.Channels.Payer;

/// <summary>
/// What happened to a payment (expected business outcomes are data, STYLE.md): <see cref="PaymentSigned"/>,
/// <see cref="PaymentDelivered"/>, <see cref="PaymentQueued"/>, <see cref="PaymentRejected"/> or
/// <see cref="PaymentRefused"/>.
/// </summary>
public abstract record PaymentOutcome
{
    private protected PaymentOutcome()
    {
    }
}
