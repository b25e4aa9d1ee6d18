namespace Settlement.Channels.Transport.Http402;

/// <summary>
/// The HTTP 402 pay-per-request convention (x402 version 2 header names) with a channel voucher as the payment
/// (docs/payee.md, "HTTP 402"): a priced route answers <c>402 Payment Required</c> with <see cref="Required"/>; the client
/// retries with <see cref="Signature"/>; a paid response carries <see cref="Response"/>. Each header holds base64 of a
/// UTF-8 JSON document.
/// </summary>
public static class PaymentHeaders
{
    /// <summary>Response header of a 402: what the route costs and where to pay (also the response body, as JSON).</summary>
    public const string Required = "PAYMENT-REQUIRED";

    /// <summary>Request header: the signed cumulative voucher that pays for this request.</summary>
    public const string Signature = "PAYMENT-SIGNATURE";

    /// <summary>Response header of a paid request: what was charged, the credit left and the payee's signed receipt.</summary>
    public const string Response = "PAYMENT-RESPONSE";

    /// <summary>The payment scheme: a cumulative voucher of a <c>SettlementChannels</c> channel.</summary>
    public const string Scheme = "l2pay-channel";

    /// <summary>The x402 version whose header names and envelope are used.</summary>
    public const int Version = 2;

    /// <summary>The longest header value accepted, in characters; a longer one is refused unread.</summary>
    public const int MaxHeaderLength = 4096;

    /// <summary>The CAIP-2 network name of an EVM chain: <c>eip155:&lt;chain id&gt;</c>.</summary>
    public static string Network(ulong chainId) => "eip155:" + chainId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
