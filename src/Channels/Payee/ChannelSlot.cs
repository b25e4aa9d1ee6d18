using System.Numerics;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payee;

/// <summary>
/// The engine's in-memory state of one channel, kept small (the target is under 1 KiB per open channel): the
/// confirmed view, the newest durable amount, the newest amount reserved by a write in flight, and waiters.
/// Guarded by locking the slot itself.
/// </summary>
internal sealed class ChannelSlot
{
    private List<(BigInteger Amount, TaskCompletionSource<PayeeCredit> Waiter)>? _waiters;

    public ChannelSlot(PayeeChannelView view, ulong viewBlock, BigInteger durable, ChannelTypedData typedData)
    {
        View = view;
        ViewBlock = viewBlock;
        Durable = durable;
        Reserved = durable;
        TypedData = typedData;
    }

    public PayeeChannelView View { get; set; }

    public ulong ViewBlock { get; set; }

    /// <summary>The newest cumulative amount known to be stored.</summary>
    public BigInteger Durable { get; set; }

    /// <summary>The newest cumulative amount accepted for writing (≥ <see cref="Durable"/>).</summary>
    public BigInteger Reserved { get; set; }

    /// <summary>Vouchers of this channel this engine accepted and stored since it started (in memory; a dashboard's rate).</summary>
    public long Accepted { get; set; }

    /// <summary>The newest close agreement the payee signed (live or expired), or null.</summary>
    public CloseAgreement? Agreement { get; set; }

    /// <summary>True once <see cref="Agreement"/> is stored (its signature may be handed out).</summary>
    public bool AgreementDurable { get; set; }

    /// <summary>The newest refund the payee issued (durable), or null.</summary>
    public Refunds.IssuedRefund? Refund { get; set; }

    /// <summary>True while a refund of the channel is being signed and stored (no close agreement is signed meanwhile).</summary>
    public bool RefundInFlight { get; set; }

    /// <summary>The deployment's typed data (shared by every slot of the deployment).</summary>
    public ChannelTypedData TypedData { get; }

    public PayeeCredit Credit()
    {
        var view = View;
        var used = BigInteger.Max(Durable, view.RedeemedByPayee);
        var remaining = BigInteger.Max(BigInteger.Zero, view.PayerDeposit - used);
        return new PayeeCredit(view.Key, Durable, remaining, view.PayerDeposit, !view.IsClosing && !view.Settled);
    }

    /// <summary>Adds a waiter; the caller holds the lock.</summary>
    public void AddWaiter(BigInteger amount, TaskCompletionSource<PayeeCredit> waiter) => (_waiters ??= []).Add((amount, waiter));

    /// <summary>Removes a waiter (cancelled); the caller holds the lock.</summary>
    public void RemoveWaiter(TaskCompletionSource<PayeeCredit> waiter) => _waiters?.RemoveAll(w => w.Waiter == waiter);

    /// <summary>
    /// Takes the waiters satisfied by the current state (paid enough, or the channel stopped extending credit); the
    /// caller holds the lock and completes them after releasing it.
    /// </summary>
    public List<TaskCompletionSource<PayeeCredit>>? TakeReadyWaiters()
    {
        if (_waiters is null)
        {
            return null;
        }

        var open = !View.IsClosing && !View.Settled;
        List<TaskCompletionSource<PayeeCredit>>? ready = null;
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (!open || _waiters[i].Amount <= Durable)
            {
                (ready ??= []).Add(_waiters[i].Waiter);
                _waiters.RemoveAt(i);
            }
        }

        if (_waiters.Count == 0)
        {
            _waiters = null;
        }

        return ready;
    }
}
