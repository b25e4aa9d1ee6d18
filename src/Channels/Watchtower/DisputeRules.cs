using System.Numerics;
using Settlement.Channels.Contracts;

namespace Settlement.Channels.Watchtower;

/// <summary>
/// The watchtower's decision for one channel, from chain state only, so that running it again gives the same answer:
/// a redeem already mined is seen as the chain's redeemed amount and not sent again; one that vanished is seen as a
/// missing amount and a lost transaction, and sent again. Pure: no I/O.
/// </summary>
public static class DisputeRules
{
    /// <summary>
    /// True while a redeem can still be mined: the contract accepts it while <c>block.timestamp ≤ deadline</c>, and
    /// the next block's timestamp is later than the newest one's.
    /// </summary>
    public static bool WindowOpen(ulong latestTimestamp, ulong deadline) => latestTimestamp < deadline;

    /// <summary>Decides what to do for one guarded channel.</summary>
    /// <param name="held">The held voucher amount.</param>
    /// <param name="state">The channel's state at the newest block.</param>
    /// <param name="latestTimestamp">The newest block's timestamp.</param>
    /// <param name="pending">Our newest transaction for this channel and the kind the decision leads to, with its status; null if none.</param>
    /// <param name="settleAfterDeadline">Whether to settle after the deadline.</param>
    public static DutyAction Decide(BigInteger held, ChannelState state, ulong latestTimestamp, PendingTransaction? pending, bool settleAfterDeadline)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Exists)
        {
            return DutyAction.Finish;
        }

        if (!state.IsClosing)
        {
            return DutyAction.None;
        }

        var windowOpen = WindowOpen(latestTimestamp, state.CloseDeadline);
        if (state.RedeemedByPayee >= held)
        {
            if (windowOpen || !settleAfterDeadline)
            {
                return DutyAction.None;
            }

            return FollowUp(pending, DisputeKind.Settle, BigInteger.Zero) ?? DutyAction.Settle;
        }

        if (!windowOpen)
        {
            return DutyAction.Missed;
        }

        return FollowUp(pending, DisputeKind.Redeem, held) ?? DutyAction.Redeem;
    }

    // What to do about an earlier transaction of the same kind and amount; null: sign a new one.
    private static DutyAction? FollowUp(PendingTransaction? pending, DisputeKind kind, BigInteger amount)
    {
        if (pending is null || pending.Kind != kind || pending.Amount != amount)
        {
            return null;
        }

        return pending.Status switch
        {
            TowerTransactionStatus.Pending => DutyAction.WaitForPending,

            // Mined, yet the state read says it has not taken effect: the state was read before its block, or it
            // was mined on a branch that is being replaced. Wait one poll rather than paying for a duplicate.
            TowerTransactionStatus.Mined => DutyAction.WaitForPending,
            TowerTransactionStatus.Unknown => DutyAction.Resend,

            // Reverted (e.g. a voucher became stale under it): decide afresh with a new transaction.
            _ => null,
        };
    }
}
