using System.Globalization;
using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Metering;

namespace Settlement.Channels.Payer.Recharge;

/// <summary>
/// Turns a meter's low-balance callback (<see cref="MeterOptions.OnLowBalance"/>) into one recharge per crossing
/// through the settlement service. The idempotency key is the channel and its deposit at the crossing
/// (<see cref="IdempotencyKey"/>): the deposit is persisted with the channel and only grows when a top-up lands, so a
/// callback repeated for the same crossing (a retry, a restart, a second meter on the channel) asks for the same
/// recharge, which the service answers without paying twice; the next crossing, after the recharge funded the
/// channel, has a new key.
/// </summary>
public sealed class LowBalanceRecharger
{
    private readonly PayerChannel _channel;
    private readonly SettlementRechargeClient _client;
    private readonly string _consentId;
    private readonly long _amountPence;
    private readonly Func<RechargeAnswer, CancellationToken, Task>? _onAnswer;

    /// <summary>Recharges <paramref name="channel"/> by <paramref name="amountPence"/> under <paramref name="consentId"/> when it runs low.</summary>
    /// <param name="channel">The metered channel (its deposit names the crossing).</param>
    /// <param name="client">The settlement service.</param>
    /// <param name="consentId">The user's registered sweeping consent.</param>
    /// <param name="amountPence">How much each recharge pulls (&gt; 0, within the consent's limits).</param>
    /// <param name="onAnswer">Told each answer (accepted or refused), e.g. to show it or to refresh the channel's deposit.</param>
    public LowBalanceRecharger(PayerChannel channel, SettlementRechargeClient client, string consentId, long amountPence, Func<RechargeAnswer, CancellationToken, Task>? onAnswer = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountPence);
        _channel = channel;
        _client = client;
        _consentId = consentId;
        _amountPence = amountPence;
        _onAnswer = onAnswer;
    }

    /// <summary>The last answer, or null before the first crossing.</summary>
    public RechargeAnswer? LastAnswer { get; private set; }

    /// <summary>The key of a crossing: the channel and its deposit (base units) when it crossed.</summary>
    public static string IdempotencyKey(ChannelKey key, BigInteger deposit) => string.Create(CultureInfo.InvariantCulture, $"low-balance/{key}/deposit/{deposit}");

    /// <summary>The callback for <see cref="MeterOptions.OnLowBalance"/>. Transport failures throw; calling again for the same crossing is safe.</summary>
    public async Task OnLowBalanceAsync(LowBalance low, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(low);
        var answer = await _client.RequestAsync(
            _consentId, IdempotencyKey(low.Key, _channel.Deposit), _amountPence, low.Key.ChannelId.ToString(), cancellationToken).ConfigureAwait(false);
        LastAnswer = answer;
        if (_onAnswer is not null)
        {
            await _onAnswer(answer, cancellationToken).ConfigureAwait(false);
        }
    }
}
