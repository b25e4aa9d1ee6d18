using System.Numerics;

namespace Settlement.Channels.Payee.Refunds;

/// <summary>An operator's request to pay <paramref name="Amount"/> back to the payer of a channel.</summary>
/// <param name="Key">The channel.</param>
/// <param name="Amount">What to add to the channel's cumulative refund, in token base units (&gt; 0).</param>
/// <param name="IdempotencyKey">
/// The request's id, 1 to <see cref="MaxIdempotencyKeyLength"/> printable ASCII characters, unique per channel: a repeat
/// with the same id and amount returns the refund already signed.
/// </param>
public sealed record RefundRequest(ChannelKey Key, BigInteger Amount, string IdempotencyKey)
{
    /// <summary>The longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 128;

    /// <summary>True if <paramref name="key"/> is 1 to 128 printable ASCII characters.</summary>
    public static bool IsValidIdempotencyKey(string? key) =>
        key is { Length: > 0 and <= MaxIdempotencyKeyLength } && key.All(c => c is >= '!' and <= '~');
}
