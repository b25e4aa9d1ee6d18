using System.Text.Json.Serialization;

namespace Settlement.OpenBanking.Pis;

/// <summary>
/// An OBIE account reference (e.g. scheme <c>UK.OBIE.SortCodeAccountNumber</c>). <see cref="ToString"/>
/// and <see cref="Masked"/> show only the last four characters of the identification, so logs and
/// displays never carry a full account number.
/// </summary>
public sealed record AccountIdentification(string SchemeName, string Identification, string Name)
{
    /// <summary>The identification with all but its last four characters replaced by <c>*</c>.</summary>
    [JsonIgnore]
    public string MaskedIdentification => Mask(Identification);

    /// <summary>Scheme, masked identification and name, for logs and displays.</summary>
    [JsonIgnore]
    public string Masked => $"{SchemeName} {MaskedIdentification} ({Name})";

    /// <summary>All but the last four characters replaced by <c>*</c> (a value of four characters or fewer entirely).</summary>
    public static string Mask(string identification)
    {
        ArgumentNullException.ThrowIfNull(identification);
        return identification.Length <= 4 ? new string('*', identification.Length) : new string('*', identification.Length - 4) + identification[^4..];
    }

    /// <inheritdoc />
    public override string ToString() => Masked;
}
