using System.Collections.Concurrent;
using System.Numerics;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payee.Velocity;

/// <summary>
/// Applies <see cref="VelocityOptions"/> to a voucher that passed every other check, just before it is stored:
/// counts it per channel and per payer, returns the flags it raised and whether it must be refused. A refused
/// voucher is not counted. Thread-safe.
/// </summary>
public sealed class VelocityGuard
{
    private readonly ConcurrentDictionary<ChannelKey, VelocityWindow> _channels = new();
    private readonly ConcurrentDictionary<Address, VelocityWindow> _payers = new();
    private readonly int? _channelCountFlag;
    private readonly int? _channelCountRefuse;
    private readonly BigInteger? _channelValueFlag;
    private readonly BigInteger? _channelValueRefuse;
    private readonly int? _payerCountFlag;
    private readonly int? _payerCountRefuse;
    private readonly BigInteger? _payerValueFlag;
    private readonly BigInteger? _payerValueRefuse;

    /// <summary>Creates a guard for validated options.</summary>
    public VelocityGuard(VelocityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IsEnabled = !options.IsEmpty;
        _channelCountFlag = options.ChannelPaymentsPerSecondFlag;
        _channelCountRefuse = options.ChannelPaymentsPerSecondRefuse;
        _channelValueFlag = VelocityOptions.ParseAmount(options.ChannelValuePerMinuteFlag);
        _channelValueRefuse = VelocityOptions.ParseAmount(options.ChannelValuePerMinuteRefuse);
        _payerCountFlag = options.PayerPaymentsPerSecondFlag;
        _payerCountRefuse = options.PayerPaymentsPerSecondRefuse;
        _payerValueFlag = VelocityOptions.ParseAmount(options.PayerValuePerMinuteFlag);
        _payerValueRefuse = VelocityOptions.ParseAmount(options.PayerValuePerMinuteRefuse);
    }

    /// <summary>False when no rule is configured.</summary>
    public bool IsEnabled { get; }

    /// <summary>
    /// Counts a voucher of <paramref name="increment"/> for <paramref name="key"/> and <paramref name="payer"/> at
    /// <paramref name="now"/>. Returns true if it must be refused; <paramref name="flags"/> gets the flags raised
    /// (empty most of the time).
    /// </summary>
    public bool TryAdmit(ChannelKey key, Address payer, BigInteger increment, DateTimeOffset now, out IReadOnlyList<VelocityFlag> flags)
    {
        flags = [];
        if (!IsEnabled)
        {
            return true;
        }

        var seconds = now.ToUnixTimeSeconds();
        var channel = _channels.GetOrAdd(key, static _ => new VelocityWindow());
        var byPayer = _payers.GetOrAdd(payer, static _ => new VelocityWindow());
        List<VelocityFlag>? raised = null;

        // Lock order: channel, then payer (always the same order, so no deadlock).
        lock (channel)
        {
            lock (byPayer)
            {
                channel.Roll(seconds);
                byPayer.Roll(seconds);
                var refused =
                    Check(channel, VelocityRule.ChannelPaymentsPerSecond, channel.Payments + 1, _channelCountFlag, _channelCountRefuse, isCount: true)
                    | Check(channel, VelocityRule.ChannelValuePerMinute, channel.Value + increment, _channelValueFlag, _channelValueRefuse, isCount: false)
                    | Check(byPayer, VelocityRule.PayerPaymentsPerSecond, byPayer.Payments + 1, _payerCountFlag, _payerCountRefuse, isCount: true)
                    | Check(byPayer, VelocityRule.PayerValuePerMinute, byPayer.Value + increment, _payerValueFlag, _payerValueRefuse, isCount: false);
                if (raised is not null)
                {
                    flags = raised;
                }

                if (refused)
                {
                    return false;
                }

                channel.Payments++;
                channel.Value += increment;
                byPayer.Payments++;
                byPayer.Value += increment;
                return true;
            }
        }

        bool Check(VelocityWindow window, VelocityRule rule, BigInteger observed, BigInteger? flagAbove, BigInteger? refuseAbove, bool isCount)
        {
            var refuse = refuseAbove is { } r && observed > r;
            if (!refuse && !(flagAbove is { } f && observed > f))
            {
                return false;
            }

            // One flag per rule, level and window: a flood raises one flag and one refusal, not one per voucher.
            var bit = (byte)(1 << ((isCount ? 0 : 2) + (refuse ? 1 : 0)));
            if ((window.Raised & bit) == 0)
            {
                window.Raised |= bit;
                (raised ??= []).Add(new VelocityFlag(key, payer, rule, observed, refuse ? refuseAbove!.Value : flagAbove!.Value, refuse, now));
            }

            return refuse;
        }
    }

    /// <summary>Forgets a channel's counters (the channel was settled).</summary>
    public void Forget(ChannelKey key) => _channels.TryRemove(key, out _);
}
