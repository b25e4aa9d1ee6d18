using System.Security.Cryptography;
using System.Text;
using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// Chain actions that keep one transaction per step key: a repeat with the same key returns the same result (counted);
/// a repeat with other arguments is a bug of the caller and throws. New keys revert while <see cref="Revert"/>.
/// </summary>
internal sealed class FakeChainActions : IChainActions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Call, ChainActionResult Result)> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);

    public bool Revert { get; set; }

    /// <summary>Every distinct transaction sent: step key → what it did.</summary>
    public IReadOnlyDictionary<string, string> Transactions
    {
        get
        {
            lock (_gate)
            {
                return _sent.ToDictionary(kv => kv.Key, kv => kv.Value.Call, StringComparer.Ordinal);
            }
        }
    }

    public int CallsFor(string stepKey)
    {
        lock (_gate)
        {
            return _calls.GetValueOrDefault(stepKey);
        }
    }

    public Task<ChainActionResult> FundNewChannelAsync(string stepKey, string payer, string payee, UInt128 amount, CancellationToken cancellationToken) =>
        Task.FromResult(Send(stepKey, $"open {payer}->{payee} {amount}", channel: true));

    public Task<ChainActionResult> TopUpChannelAsync(string stepKey, string channelId, UInt128 amount, CancellationToken cancellationToken) =>
        Task.FromResult(Send(stepKey, $"topup {channelId} {amount}", channel: false, existingChannel: channelId));

    public Task<ChainActionResult> BurnFromAsync(string stepKey, string holder, UInt128 amount, CancellationToken cancellationToken) =>
        Task.FromResult(Send(stepKey, $"burn {holder} {amount}", channel: false));

    public static string HashOf(string stepKey) => "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("tx:" + stepKey)));

    private ChainActionResult Send(string stepKey, string call, bool channel, string? existingChannel = null)
    {
        lock (_gate)
        {
            _calls[stepKey] = _calls.GetValueOrDefault(stepKey) + 1;
            if (_sent.TryGetValue(stepKey, out var sent))
            {
                if (sent.Call != call)
                {
                    throw new InvalidOperationException($"step {stepKey} repeated with other arguments: '{sent.Call}' then '{call}'");
                }

                return sent.Result;
            }

            var result = Revert
                ? new ChainActionResult(ChainActionStatus.Reverted, HashOf(stepKey), 7, null, "execution reverted: insufficient allowance")
                : new ChainActionResult(
                    ChainActionStatus.Mined, HashOf(stepKey), 7,
                    channel ? "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("channel:" + stepKey))) : existingChannel, null);
            _sent[stepKey] = (call, result);
            return result;
        }
    }
}
