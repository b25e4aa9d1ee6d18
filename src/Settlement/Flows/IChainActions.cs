namespace Settlement.Service.Flows;

/// <summary>
/// Chain transactions of the flows. Each call is idempotent per step key: the signed transaction is stored before it is
/// broadcast, and a repeat with the same key re-broadcasts that same transaction or returns its outcome; it never sends
/// a second one. Transient failures (node unreachable) throw; the flow stays where it is and is retried.
/// </summary>
public interface IChainActions
{
    /// <summary>Mints <paramref name="amount"/> to the platform and opens a channel payer → payee funded by the platform on the payer's behalf.</summary>
    Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken);

    /// <summary>Mints <paramref name="amount"/> to the platform and tops up the existing channel <paramref name="channelId"/>.</summary>
    Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken);

    /// <summary>Burns <paramref name="amount"/> from <paramref name="holder"/> under its allowance to the platform (ERC20Burnable.burnFrom).</summary>
    Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken);
}
