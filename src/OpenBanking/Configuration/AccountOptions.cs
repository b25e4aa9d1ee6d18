using System.ComponentModel.DataAnnotations;

namespace Settlement.OpenBanking.Configuration;

/// <summary>An account as OBIE identifies it (scheme, identification, name).</summary>
public sealed class AccountOptions
{
    /// <summary>Scheme, e.g. <c>UK.OBIE.SortCodeAccountNumber</c> or <c>UK.OBIE.IBAN</c>.</summary>
    [Required]
    [StringLength(40, MinimumLength = 1)]
    public string SchemeName { get; set; } = "UK.OBIE.SortCodeAccountNumber";

    /// <summary>The account identification in that scheme.</summary>
    [Required]
    [StringLength(256, MinimumLength = 1)]
    public string Identification { get; set; } = "";

    /// <summary>Account holder name (required for creditor accounts).</summary>
    [Required]
    [StringLength(350, MinimumLength = 1)]
    public string Name { get; set; } = "";
}
