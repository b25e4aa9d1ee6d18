using System.Collections.Concurrent;
using System.Net;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Transport.Http402;

namespace Settlement.Channels.Payer.Http;

/// <summary>
/// An <see cref="HttpClient"/> handler that pays priced routes (docs/payee.md, "HTTP 402"): on a 402 it asks its
/// <see cref="IChannelPaymentSource"/> for a voucher of the amount asked (never more than
/// <see cref="PaymentHandlerOptions.MaxAmountPerRequest"/>) and retries; once a route is known to be priced it attaches
/// the next voucher up front. Paid responses' receipts are checked against the payee's receipt signer before they
/// are handed to the source; a receipt that does not verify is dropped and logged.
/// </summary>
public sealed partial class PaymentRequiredHandler : DelegatingHandler
{
    private readonly IChannelPaymentSource _source;
    private readonly PaymentHandlerOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PaymentOffer> _offers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BigInteger> _credits = new(StringComparer.Ordinal);
    private readonly Lock _creditGate = new();

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> or add it with <c>AddHttpMessageHandler</c>.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public PaymentRequiredHandler(IChannelPaymentSource source, PaymentHandlerOptions options, ILogger<PaymentRequiredHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _source = source;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false); // so that it can be sent again
        }

        var route = RouteOf(request.RequestUri);
        var attempt = request;
        var paidWith = (PaymentOffer?)null;
        if (_options.PayUpFront && route is not null && _offers.TryGetValue(route, out var known))
        {
            var upFront = TakeCredit(known);
            if (upFront <= _options.MaxAmountPerRequest && await _source.SignPaymentAsync(known with { Amount = upFront }, upFront, cancellationToken).ConfigureAwait(false) is { } voucher)
            {
                attempt = await CloneAsync(request, cancellationToken).ConfigureAwait(false);
                attempt.Headers.Add(PaymentHeaders.Signature, Http402Codec.EncodeHeader(PaymentPayload.FromVoucher(known.ChainId, known.Contract, voucher)));
                paidWith = known;
            }
        }

        var response = await base.SendAsync(attempt, cancellationToken).ConfigureAwait(false);
        for (var tries = 0; response.StatusCode == HttpStatusCode.PaymentRequired && tries < _options.MaxAttempts; tries++)
        {
            var offer = await ReadOfferAsync(response, cancellationToken).ConfigureAwait(false);
            if (offer is null)
            {
                return response;
            }

            if (route is not null)
            {
                _offers[route] = offer;
            }

            if (offer.Amount > _options.MaxAmountPerRequest)
            {
                LogTooExpensive(_logger, offer.Amount, _options.MaxAmountPerRequest);
                return response;
            }

            if (await _source.SignPaymentAsync(offer, offer.Amount, cancellationToken).ConfigureAwait(false) is not { } voucher)
            {
                return response;
            }

            response.Dispose();
            attempt = await CloneAsync(request, cancellationToken).ConfigureAwait(false);
            attempt.Headers.Add(PaymentHeaders.Signature, Http402Codec.EncodeHeader(PaymentPayload.FromVoucher(offer.ChainId, offer.Contract, voucher)));
            paidWith = offer;
            response = await base.SendAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        if (paidWith is not null && response.IsSuccessStatusCode
            && response.Headers.TryGetValues(PaymentHeaders.Response, out var values)
            && Http402Codec.TryDecodeResponseHeader(values.FirstOrDefault(), out var paid, out _))
        {
            await AcceptAsync(paidWith, paid, response, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    private async Task AcceptAsync(PaymentOffer offer, PaymentResponse paid, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var credit = paid.Credit;
        if (offer.PricePerByte.Sign > 0 && response.Content.Headers.ContentLength is { } length)
        {
            credit -= offer.PricePerByte * length; // charged as the body was written; the next request pays it
        }

        lock (_creditGate)
        {
            _credits[PayeeOf(offer)] = credit;
        }

        if (paid.ReceiptSignature is { } signature && paid.ReceiptIssuedAt is { } issuedAt)
        {
            var receipt = new PaymentReceipt(new ChannelKey(offer.ChainId, offer.Contract, paid.ChannelId), paid.Cumulative, issuedAt, signature);
            if (offer.ReceiptSigner is not { } signer || !receipt.IsSignedBy(signer))
            {
                LogBadReceipt(_logger, paid.ChannelId.ToString());
                paid = paid with { ReceiptIssuedAt = null, ReceiptSignature = null };
            }
        }

        await _source.OnPaymentAcceptedAsync(offer, paid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What to pay up front for a request to <paramref name="offer"/>'s route: the price less the credit last reported
    /// (plus what is owed), at least 1. The credit used is taken at once, so concurrent requests do not all count on it.
    /// </summary>
    private BigInteger TakeCredit(PaymentOffer offer)
    {
        var payee = PayeeOf(offer);
        lock (_creditGate)
        {
            var credit = _credits.GetValueOrDefault(payee);
            var amount = BigInteger.Max(BigInteger.One, offer.PricePerRequest - credit);
            _credits[payee] = credit + amount - offer.PricePerRequest;
            return amount;
        }
    }

    private static async Task<PaymentOffer?> ReadOfferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        PaymentRequired? required = null;
        if (response.Headers.TryGetValues(PaymentHeaders.Required, out var values))
        {
            Http402Codec.TryDecodeRequiredHeader(values.FirstOrDefault(), out required, out _);
        }

        if (required is null)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            Http402Codec.TryDecodeRequired(body, out required, out _);
        }

        return required?.Accepts.FirstOrDefault(o => o.Amount.Sign > 0);
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var header in request.Headers)
        {
            if (!string.Equals(header.Key, PaymentHeaders.Signature, StringComparison.OrdinalIgnoreCase))
            {
                clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        if (request.Content is not null)
        {
            var bytes = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            clone.Content = new ByteArrayContent(bytes);
            foreach (var header in request.Content.Headers)
            {
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
        }

        return clone;
    }

    private static string? RouteOf(Uri? uri) => uri is { IsAbsoluteUri: true } ? uri.GetLeftPart(UriPartial.Path) : null;

    private static string PayeeOf(PaymentOffer offer) => $"{offer.ChainId}/{offer.Contract}/{offer.PayTo}/{offer.Asset}";

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "A 402 asked {Amount}, above the limit of {Limit} per request: not paid")]
    private static partial void LogTooExpensive(ILogger logger, BigInteger amount, BigInteger limit);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "The receipt for channel {Channel} does not verify against the payee's receipt signer: dropped")]
    private static partial void LogBadReceipt(ILogger logger, string channel);
}
