using System.ComponentModel.DataAnnotations;

namespace Settlement.Service.Flows;

/// <summary>A merchant the payout batches pay (Settlement:Payouts:Merchants:N).</summary>
public sealed class PayoutMerchant
{
    /// <summary>The merchant's id (the key of <see cref="SettlementAccounts.MerchantPayable"/>).</summary>
    [Required(AllowEmptyStrings = false)]
    [StringLength(100)]
    public string? Id { get; set; }

    /// <summary>The merchant's chain address whose tGBP balance is paid out (0x hex).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Address { get; set; }

    /// <summary>The configured bank the platform pays from.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Bank { get; set; }

    /// <summary>The merchant's account scheme (default <c>UK.OBIE.SortCodeAccountNumber</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string AccountScheme { get; set; } = "UK.OBIE.SortCodeAccountNumber";

    /// <summary>The merchant's account identification (sort code and account number).</summary>
    [Required(AllowEmptyStrings = false)]
    public string? AccountIdentification { get; set; }

    /// <summary>The account holder's name.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? AccountName { get; set; }
}
