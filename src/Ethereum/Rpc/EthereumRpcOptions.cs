using System.ComponentModel.DataAnnotations;

namespace Settlement.Ethereum.Rpc;

/// <summary>Where the Ethereum node is and how to talk to it. Bound from configuration section <see cref="SectionName"/>.</summary>
public sealed class EthereumRpcOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Ethereum:Rpc";

    /// <summary>The node's HTTP JSON-RPC endpoint (Ethereum:Rpc:Url).</summary>
    [Required]
    public Uri? Url { get; set; }

    /// <summary>The chain id the node must serve (Ethereum:Rpc:ChainId); checked at connect.</summary>
    [Range(typeof(ulong), "1", "18446744073709551615")]
    public ulong ChainId { get; set; }

    /// <summary>Time allowed for one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of idempotent requests after a transient transport fault.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay (exponential back-off with jitter follows).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest number of requests sent in one HTTP batch; bigger batches are split.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 100;
}
