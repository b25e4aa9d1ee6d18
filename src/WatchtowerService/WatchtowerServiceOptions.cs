using System.ComponentModel.DataAnnotations;
using Settlement.Channels.Watchtower;

namespace Settlement.WatchtowerService;

/// <summary>The watchtower service's settings: where it listens, its database, the chain node and <see cref="Watchtower"/>.</summary>
public sealed class WatchtowerServiceOptions : IValidatableObject
{
    /// <summary>TCP port on 127.0.0.1 (0 = any free port).</summary>
    [Range(0, 65_535)]
    public int Port { get; set; }

    /// <summary>The SQLite file holding delegations, the checkpoint, signed transactions and alerts.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Database { get; set; } = "watchtower.db";

    /// <summary>The chain node's JSON-RPC URL.</summary>
    [Required]
    public Uri? RpcUrl { get; set; }

    /// <summary>The watchtower's own settings (section <c>Watchtower</c>).</summary>
    [Required]
    public WatchtowerOptions Watchtower { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RpcUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"RpcUrl must be an absolute http(s) URL; got '{url}'.", [nameof(RpcUrl)]);
        }

        var nested = new List<ValidationResult>();
        if (!Validator.TryValidateObject(Watchtower, new ValidationContext(Watchtower), nested, validateAllProperties: true))
        {
            foreach (var result in nested)
            {
                yield return new ValidationResult("Watchtower:" + result.ErrorMessage, result.MemberNames.Select(m => "Watchtower:" + m));
            }
        }
    }

    /// <summary>Validates everything; throws with every problem named.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void ThrowIfInvalid()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        if (results.Count > 0)
        {
            throw new ArgumentException("Invalid watchtower settings: " + string.Join(" ", results.Select(r => r.ErrorMessage)));
        }
    }
}
