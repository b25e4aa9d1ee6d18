using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Settlement.OpenBanking.Pis;

namespace Settlement.DashboardService.Snapshots;

/// <summary>
/// What never reaches the page: signatures and authorisation links are dropped wherever they appear, and account
/// numbers in free text (a UK sort code + account number of 14 digits, an IBAN) are masked to their last four
/// characters with <see cref="AccountIdentification.Mask"/>, the rule the rest of the code uses. Amounts (decimal strings
/// of base units) and hex identifiers are left alone: they are not secrets and the page needs them.
/// </summary>
internal static partial class Redaction
{
    private static readonly HashSet<string> DroppedFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "signature", "authorizationUrl", "privateKey", "secret", "password", "accessToken", "refreshToken", "token", "consentId",
    };

    private static readonly HashSet<string> FreeTextFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "detail", "problem", "counterparty", "reference", "error", "lastError", "name",
    };

    /// <summary>Redacts <paramref name="node"/> in place (objects and arrays recursively) and returns it.</summary>
    public static JsonNode? Apply(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).Where(DroppedFields.Contains).ToList())
                {
                    obj.Remove(name);
                }

                foreach (var (name, value) in obj.ToList())
                {
                    if (value is JsonValue text && FreeTextFields.Contains(name) && text.TryGetValue<string>(out var s))
                    {
                        obj[name] = MaskText(s);
                    }
                    else
                    {
                        Apply(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Apply(item);
                }

                break;
        }

        return node;
    }

    /// <summary>Masks every account number in <paramref name="text"/>.</summary>
    public static string MaskText(string text) => AccountNumber().Replace(text, m => AccountIdentification.Mask(m.Value));

    [GeneratedRegex(@"(?<![0-9A-Za-z])(?:\d{14}|[A-Z]{2}\d{2}[A-Z0-9]{11,30})(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex AccountNumber();
}
