using System.Net;
using System.Numerics;
using System.Text;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Transport.Http402;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payer.Http;

/// <summary>
/// A payee's HTTP server in memory: every path under <c>/priced</c> costs <see cref="Price"/> per request; a request
/// without enough paid gets a 402 stating the offer (in the header, or only in the body with
/// <see cref="OfferInBodyOnly"/>); a paid one gets 200 with a <see cref="PaymentHeaders.Response"/> carrying
/// <see cref="Credit"/> and a receipt signed by <see cref="ReceiptKey"/>. Records every request it saw.
/// </summary>
internal sealed class PricedRoutes(PayerWorld world) : HttpMessageHandler
{
    private readonly List<(HttpRequestMessage Request, PaymentPayload? Payment, byte[]? Body)> _seen = [];
    private BigInteger _stored;

    public BigInteger Price { get; set; } = 10;

    public BigInteger PricePerByte { get; set; }

    public BigInteger Credit { get; set; }

    public bool OfferInBodyOnly { get; set; }

    /// <summary>When set, a 402 carries no decodable offer at all.</summary>
    public bool NoOffer { get; set; }

    /// <summary>When set, the 402 lists an offer of 0 first (which must not be taken).</summary>
    public bool ZeroOfferFirst { get; set; }

    /// <summary>When set, the 402 lists only an offer of 0.</summary>
    public bool OnlyZeroOffer { get; set; }

    /// <summary>When set, every request gets a 402 (a payee that never accepts).</summary>
    public bool AlwaysRefuse { get; set; }

    /// <summary>The status of a paid answer.</summary>
    public HttpStatusCode PaidStatus { get; set; } = HttpStatusCode.OK;

    public bool NoPaymentResponse { get; set; }

    public PrivateKey? ReceiptKey { get; set; }

    /// <summary>The receipt signer the offer names (null: none).</summary>
    public Ethereum.Addresses.Address? OfferedReceiptSigner { get; set; }

    public byte[] PaidBody { get; set; } = Encoding.UTF8.GetBytes("paid");

    public IReadOnlyList<(HttpRequestMessage Request, PaymentPayload? Payment, byte[]? Body)> Seen => _seen;

    public PaymentOffer Offer(BigInteger amount, string path = "/priced") =>
        new(PayerWorld.ChainId, PayerWorld.ContractAddress, PayeeOf(path), Ethereum.Addresses.Address.Zero, amount, Price, PricePerByte, 0, 1_000, 60, OfferedReceiptSigner);

    /// <summary>Routes under <c>/priced/other-payee</c> are paid to another payee (the stranger's address).</summary>
    private Ethereum.Addresses.Address PayeeOf(string path) =>
        path.StartsWith("/priced/other-payee", StringComparison.Ordinal) ? world.StrangerKey.Address : world.PayeeKey.Address;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        PaymentPayload? payment = null;
        if (request.Headers.TryGetValues(PaymentHeaders.Signature, out var values))
        {
            Http402Codec.TryDecodePayloadHeader(values.Single(), out payment, out _);
        }

        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        _seen.Add((request, payment, body));
        if (!request.RequestUri!.AbsolutePath.StartsWith("/priced", StringComparison.Ordinal))
        {
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("free") };
        }

        var paidNow = payment is null ? BigInteger.Zero : payment.CumulativeAmount - _stored;
        if (AlwaysRefuse || paidNow + Credit < Price || paidNow <= 0)
        {
            var owed = BigInteger.Max(BigInteger.One, Price - Credit);
            var path = request.RequestUri.AbsolutePath;
            PaymentOffer[] offers = OnlyZeroOffer ? [Offer(0, path)] : ZeroOfferFirst ? [Offer(0, path), Offer(owed, path)] : [Offer(owed, path)];
            var required = new PaymentRequired(PaymentErrors.PaymentRequired, null, request.RequestUri.AbsolutePath, offers);
            var refusal = new HttpResponseMessage(HttpStatusCode.PaymentRequired)
            {
                Content = new ByteArrayContent(NoOffer ? Encoding.UTF8.GetBytes("{}") : Http402Codec.EncodeJson(required)),
            };
            if (!OfferInBodyOnly && !NoOffer)
            {
                refusal.Headers.Add(PaymentHeaders.Required, Http402Codec.EncodeHeader(required));
            }

            return refusal;
        }

        _stored = payment!.CumulativeAmount;
        Credit = Credit + paidNow - Price;
        var response = new HttpResponseMessage(PaidStatus) { Content = new ByteArrayContent(PaidBody) };
        if (!NoPaymentResponse)
        {
            var receipt = ReceiptKey is { } key ? new ReceiptSigner(key).Sign(world.Key, _stored, 1_800_000_000) : null;
            response.Headers.Add(
                PaymentHeaders.Response,
                Http402Codec.EncodeHeader(new PaymentResponse(PayerWorld.ChainId, payment.ChannelId, _stored, Price, Credit, receipt?.IssuedAt, receipt?.Signature)));
        }

        return response;
    }
}
