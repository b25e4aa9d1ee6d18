using System.ComponentModel.DataAnnotations;

namespace Settlement.PayeeService.Watchtower;

/// <summary>
/// Forwarding of accepted vouchers to a watchtower (<c>Payee:Watchtower</c>): off unless <see cref="Url"/> is set. Each
/// channel's newest voucher crosses at most once per <see cref="Interval"/>; a failed send is retried with back-off.
/// </summary>
public sealed class WatchtowerForwardingOptions : IValidatableObject
{
    /// <summary>The watchtower's base URL (its <c>POST /delegations</c> is used); null: no forwarding.</summary>
    public Uri? Url { get; set; }

    /// <summary>Time between two forwarding passes; a channel's newest voucher is sent at most once per pass.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait before retrying a channel whose send failed (the wait doubles from <see cref="Interval"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one request to the watchtower.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"Watchtower:Url must be an absolute http(s) URL; got '{url}'.", [nameof(Url)]);
        }
    }
}
