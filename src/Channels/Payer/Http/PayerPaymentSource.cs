using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer.Http;

/// <summary>
/// The payer SDK behind <see cref="PaymentRequiredHandler"/>: pays a 402 from an open channel of this payer to the
/// offer's payee in the offer's asset (the one the refusal named first), opens one with
/// <see cref="PayerPaymentSourceOptions.NewChannelDeposit"/> when there is none, signs and stores the next cumulative
/// voucher durably before it goes into the header, and records the payee's verified receipts.
/// </summary>
public sealed class PayerPaymentSource : IChannelPaymentSource
{
    private readonly PayerClient _client;
    private readonly PayerPaymentSourceOptions _options;
    private readonly SemaphoreSlim _opening = new(1, 1);

    /// <summary>Pays through <paramref name="client"/>'s channels.</summary>
    public PayerPaymentSource(PayerClient client, PayerPaymentSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new PayerPaymentSourceOptions();
        if (_options.NewChannelDeposit.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.NewChannelDeposit, "NewChannelDeposit is never negative.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<SignedVoucher?> SignPaymentAsync(PaymentOffer offer, BigInteger amount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        if (offer.ChainId != _client.ChainId || offer.Contract != _client.Contract.Address || amount.Sign <= 0)
        {
            return null;
        }

        var channel = await ChannelForAsync(offer, amount, cancellationToken).ConfigureAwait(false);
        if (channel is null)
        {
            return null;
        }

        return await channel.TrySignNextAsync(amount, cancellationToken).ConfigureAwait(false) is PaymentSigned signed ? signed.Voucher : null;
    }

    /// <inheritdoc />
    public async ValueTask OnPaymentAcceptedAsync(PaymentOffer offer, PaymentResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(response);
        if (response.ReceiptSignature is not { } signature || response.ReceiptIssuedAt is not { } issuedAt)
        {
            return;
        }

        var channel = await _client.GetChannelAsync(response.ChannelId, cancellationToken).ConfigureAwait(false);
        if (channel is not null)
        {
            var key = new ChannelKey(offer.ChainId, offer.Contract, response.ChannelId);
            await channel.RecordReceiptAsync(new PaymentReceipt(key, response.Cumulative, issuedAt, signature), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PayerChannel?> ChannelForAsync(PaymentOffer offer, BigInteger amount, CancellationToken cancellationToken)
    {
        if (offer.ChannelId is { } named
            && await _client.GetChannelAsync(named, cancellationToken).ConfigureAwait(false) is { Status: Storage.PayerChannelStatus.Open } mine
            && mine.Parameters.Payee == offer.PayTo && mine.Parameters.Token == offer.Asset && mine.Remaining >= amount)
        {
            return mine;
        }

        if (await _client.FindOpenAsync(offer.PayTo, offer.Asset, amount, cancellationToken).ConfigureAwait(false) is { } open)
        {
            return open;
        }

        if (_options.NewChannelDeposit.IsZero)
        {
            return null;
        }

        // One opening at a time: concurrent 402s for a new payee share the channel the first one opens.
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await _client.FindOpenAsync(offer.PayTo, offer.Asset, amount, cancellationToken).ConfigureAwait(false) is { } opened)
            {
                return opened;
            }

            var deposit = BigInteger.Max(_options.NewChannelDeposit, BigInteger.Max(offer.MinDeposit, amount));
            return await _client.OpenAsync(new OpenChannelRequest(offer.PayTo, offer.Asset, deposit) { Funding = _options.Funding }, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            _opening.Release();
        }
    }
}
