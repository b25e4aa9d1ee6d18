using System.ComponentModel.DataAnnotations;

namespace Settlement.Ethereum.Rpc;

/// <summary>How <see cref="TransactionSender"/> prices, limits and waits for transactions. Section <see cref="SectionName"/>.</summary>
public sealed class TransactionSenderOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Ethereum:Sender";

    /// <summary>Percent added to the node's gas estimate (Ethereum:Sender:GasMarginPercent).</summary>
    [Range(0, 1000)]
    public int GasMarginPercent { get; set; } = 20;

    /// <summary>maxFeePerGas = base fee × this + priority fee, so a few full blocks do not strand the transaction.</summary>
    [Range(1, 100)]
    public int BaseFeeMultiplier { get; set; } = 2;

    /// <summary>Priority fee in wei used when the node does not implement eth_maxPriorityFeePerGas.</summary>
    [Range(typeof(ulong), "0", "18446744073709551615")]
    public ulong FallbackPriorityFeeWei { get; set; } = 1_000_000_000;

    /// <summary>How long to wait for a receipt before giving up (the transaction may still be mined later).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Receipt polling interval.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan ReceiptPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
