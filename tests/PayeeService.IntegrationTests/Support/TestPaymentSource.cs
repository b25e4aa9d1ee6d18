using System.Numerics;
using Settlement.Channels.Payer.Http;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>A payer with one open channel that signs what it is asked, for driving the 402 handler.</summary>
internal sealed class TestPaymentSource(TestChannel channel) : IChannelPaymentSource
{
    private readonly Lock _gate = new();
    private readonly List<PaymentResponse> _accepted = [];

    public BigInteger Signed { get; private set; }

    public int Requests { get; private set; }

    public IReadOnlyList<PaymentResponse> Accepted
    {
        get
        {
            lock (_gate)
            {
                return _accepted.ToArray();
            }
        }
    }

    public ValueTask<SignedVoucher?> SignPaymentAsync(PaymentOffer offer, BigInteger amount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Requests++;
            var next = Signed + amount;
            if (offer.ChannelId is { } id && id == channel.Id && offer.Stored is { } stored && next <= stored)
            {
                next = stored + amount;
            }

            Signed = next;
            return ValueTask.FromResult<SignedVoucher?>(channel.Sign(next));
        }
    }

    public ValueTask OnPaymentAcceptedAsync(PaymentOffer offer, PaymentResponse response, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _accepted.Add(response);
        }

        return ValueTask.CompletedTask;
    }
}
