using System.Numerics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Transport.Http402;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Addresses;

namespace Settlement.PayeeService.Http402;

/// <summary>
/// Charges the routes that carry a <see cref="PaymentPrice"/>: without a valid new voucher in
/// <see cref="PaymentHeaders.Signature"/> the answer is 402 with the offer; with one, the payee engine verifies and
/// stores it (the same checks as the stream), the credit pays the request, and the response carries
/// <see cref="PaymentHeaders.Response"/> with the payee's signed receipt. Routes without a price pass untouched.
/// </summary>
internal sealed partial class PaymentRequiredMiddleware(
    RequestDelegate next, PayeeEngine engine, PaymentCreditBook credits, IOptions<PaymentRequiredOptions> options,
    TimeProvider time, ILogger<PaymentRequiredMiddleware> logger)
{
    private readonly Address _payTo = options.Value.GetPayTo();
    private readonly Address _asset = options.Value.GetAsset();
    private readonly PaymentRequiredOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var price = context.GetEndpoint()?.Metadata.GetMetadata<PaymentPrice>();
        if (price is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var headers = context.Request.Headers[PaymentHeaders.Signature];
        if (headers.Count == 0)
        {
            await RefuseAsync(context, price, PaymentErrors.PaymentRequired, null, price.PerRequest).ConfigureAwait(false);
            return;
        }

        if (headers.Count > 1)
        {
            await RefuseAsync(context, price, PaymentErrors.InvalidPayment, "more than one payment header", price.PerRequest).ConfigureAwait(false);
            return;
        }

        if (!Http402Codec.TryDecodePayloadHeader(headers[0], out var payload, out var error))
        {
            await RefuseAsync(context, price, PaymentErrors.InvalidPayment, error, price.PerRequest).ConfigureAwait(false);
            return;
        }

        if (payload.ChainId != engine.ChainId || payload.Contract != engine.Contract)
        {
            await RefuseAsync(context, price, PaymentErrors.WrongNetwork, $"this route is paid in {PaymentHeaders.Network(engine.ChainId)} contract {engine.Contract}", price.PerRequest)
                .ConfigureAwait(false);
            return;
        }

        var key = new ChannelKey(payload.ChainId, payload.Contract, payload.ChannelId);
        var cancellation = context.RequestAborted;
        if (await engine.TrackAsync(key, cancellation).ConfigureAwait(false) && engine.GetView(key) is { } view)
        {
            if (view.Parameters.Payee != _payTo)
            {
                await RefuseAsync(context, price, PaymentErrors.WrongPayee, $"the channel pays {view.Parameters.Payee}, this route is paid to {_payTo}", price.PerRequest, key)
                    .ConfigureAwait(false);
                return;
            }

            if (view.Parameters.Token != _asset)
            {
                await RefuseAsync(context, price, PaymentErrors.WrongAsset, $"the channel holds {view.Parameters.Token}, this route is paid in {_asset}", price.PerRequest, key)
                    .ConfigureAwait(false);
                return;
            }
        }

        credits.Open(key, () => Paid(key));
        var outcome = await engine.SubmitAsync(new VoucherSubmission(key, payload.CumulativeAmount, payload.Signature), cancellation).ConfigureAwait(false);
        BigInteger stored;
        switch (outcome)
        {
            case VoucherAccepted accepted:
                stored = accepted.Cumulative;
                break;
            case VoucherDuplicate duplicate:
                stored = duplicate.Cumulative;
                break;
            case VoucherRejected { Code: VoucherRejectCode.Stale } stale when IsSignedByPayer(key, payload):
                // Overtaken by a larger voucher of a concurrent request, whose increment paid for this one too; that
                // voucher may still be on its way to disk (then Stored is the last amount on disk, below this one),
                // and only stored amounts are credit.
                await WaitUntilStoredAsync(key, payload.CumulativeAmount, cancellation).ConfigureAwait(false);
                stored = BigInteger.Max(stale.Stored, Paid(key));
                break;
            case VoucherRejected rejected:
                var code = rejected.Code == VoucherRejectCode.Stale ? VoucherRejectCode.WrongSigner : rejected.Code;
                LogRejected(logger, key, code);
                await RefuseAsync(context, price, PaymentErrors.VoucherRejected, PayeeJsonCodec.CodeName(code), Needed(key, price), key, rejected.Stored)
                    .ConfigureAwait(false);
                return;
            default:
                throw new InvalidOperationException($"Unexpected outcome {outcome.GetType().Name}.");
        }

        var claim = credits.Claim(key, payload.CumulativeAmount, Paid(key), price.PerRequest);
        switch (claim.Status)
        {
            case PaymentClaimStatus.Reused:
                await RefuseAsync(context, price, PaymentErrors.VoucherReused, "this amount already paid for a request; sign a new one", Needed(key, price), key, stored)
                    .ConfigureAwait(false);
                return;
            case PaymentClaimStatus.Insufficient:
                await RefuseAsync(context, price, PaymentErrors.InsufficientPayment, $"{claim.Missing} more is needed; what this voucher added is kept as credit", claim.Missing, key, stored)
                    .ConfigureAwait(false);
                return;
        }

        var creditAfter = claim.Credit;
        context.Response.OnStarting(() =>
        {
            var receipt = engine.SignReceipt(key);
            var response = new PaymentResponse(
                key.ChainId, key.ChannelId, receipt?.Cumulative ?? stored, price.PerRequest, creditAfter, receipt?.IssuedAt, receipt?.Signature);
            context.Response.Headers[PaymentHeaders.Response] = Http402Codec.EncodeHeader(response);
            return Task.CompletedTask;
        });

        if (price.PerByte.IsZero)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var body = context.Response.Body;
        context.Response.Body = new MeteredResponseStream(body, credits, () => Paid(key), key, price, context, logger);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = body;
        }
    }

    private bool IsSignedByPayer(ChannelKey key, PaymentPayload payload) =>
        engine.GetView(key) is { } view
        && EcdsaSignature.TryParseRsv(payload.Signature.Span, out var signature)
        && ChannelTypedData.ForContract(key.ChainId, key.Contract).TryRecoverVoucherSigner(key.ChannelId.Bytes, payload.CumulativeAmount, signature, out var signer)
        && signer == view.Parameters.Payer;

    private async Task WaitUntilStoredAsync(ChannelKey key, BigInteger amount, CancellationToken cancellationToken)
    {
        // The timer runs on the injected clock (CancelAfter on a linked source would use the system's).
        using var timer = new CancellationTokenSource(_options.StoreWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await engine.WaitForPaymentAsync(key, amount, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not stored within StoreWait (a slow disk): the claim below sees less credit and may answer 402; the payer
            // retries. A request the client aborted ends here with the exception instead: nothing is claimed for it.
        }
    }

    private BigInteger Paid(ChannelKey key) => engine.GetCredit(key)?.Paid ?? BigInteger.Zero;

    private BigInteger Needed(ChannelKey key, PaymentPrice price) => BigInteger.Max(BigInteger.One, price.PerRequest - credits.Credit(key, Paid(key)));

    private async Task RefuseAsync(
        HttpContext context, PaymentPrice price, string error, string? reason, BigInteger amount, ChannelKey? key = null, BigInteger? stored = null)
    {
        LogRefused(logger, context.Request.Path, error);
        var offer = new PaymentOffer(
            engine.ChainId, engine.Contract, _payTo, _asset, amount, price.PerRequest, price.PerByte, price.MaxUnpaid, _options.MinDeposit,
            _options.MaxTimeoutSeconds, engine.ReceiptSignerAddress, key?.ChannelId, stored);
        var required = new PaymentRequired(error, reason, context.Request.Path.Value ?? "/", [offer]);
        var json = Http402Codec.EncodeJson(required);
        context.Response.StatusCode = StatusCodes.Status402PaymentRequired;
        context.Response.Headers[PaymentHeaders.Required] = Convert.ToBase64String(json);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Debug, Message = "402 on {Path}: {Error}")]
    private static partial void LogRefused(ILogger logger, PathString path, string error);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Debug, Message = "Voucher for {Channel} refused on a priced route: {Code}")]
    private static partial void LogRejected(ILogger logger, ChannelKey channel, VoucherRejectCode code);
}
