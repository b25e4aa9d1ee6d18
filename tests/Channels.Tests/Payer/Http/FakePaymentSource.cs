using System.Numerics;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payer.Http;

/// <summary>
/// An <see cref="IChannelPaymentSource"/> that signs real vouchers of one channel with a running cumulative amount and
/// records what it was asked and told; <see cref="Decline"/> makes it refuse.
/// </summary>
internal sealed class FakePaymentSource(PayerWorld world) : IChannelPaymentSource
{
    private readonly List<(PaymentOffer Offer, BigInteger Amount)> _asked = [];
    private readonly List<(PaymentOffer Offer, PaymentResponse Response)> _accepted = [];
    private BigInteger _cumulative;

    public bool Decline { get; set; }

    public IReadOnlyList<(PaymentOffer Offer, BigInteger Amount)> Asked => _asked;

    public IReadOnlyList<(PaymentOffer Offer, PaymentResponse Response)> Accepted => _accepted;

    public ValueTask<SignedVoucher?> SignPaymentAsync(PaymentOffer offer, BigInteger amount, CancellationToken cancellationToken)
    {
        lock (_asked)
        {
            _asked.Add((offer, amount));
            if (Decline)
            {
                return ValueTask.FromResult<SignedVoucher?>(null);
            }

            _cumulative += amount;
            return ValueTask.FromResult<SignedVoucher?>(world.Contract.SignVoucher(world.PayerKey, world.Key.ChannelId, _cumulative));
        }
    }

    public ValueTask OnPaymentAcceptedAsync(PaymentOffer offer, PaymentResponse response, CancellationToken cancellationToken)
    {
        lock (_asked)
        {
            _accepted.Add((offer, response));
        }

        return ValueTask.CompletedTask;
    }
}
