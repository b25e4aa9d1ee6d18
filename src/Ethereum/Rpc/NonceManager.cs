using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// Hands out transaction nonces per sending account so that concurrent senders never sign two
/// transactions with the same nonce and never leave a permanent gap.
/// <list type="bullet">
/// <item>The first reservation for an account reads the node's pending transaction count.</item>
/// <item><see cref="NonceReservation.Commit"/> after the node accepted the transaction.</item>
/// <item><see cref="NonceReservation.Release"/> when the transaction was not sent: the nonce is reused
/// by the next reservation (the highest one simply rolls back).</item>
/// <item><see cref="ResyncAsync"/> after a nonce error: re-reads the node and recomputes which nonces are
/// free, keeping those still reserved or committed.</item>
/// </list>
/// A nonce is never taken back from a transaction that was handed to the node.
/// </summary>
public sealed partial class NonceManager
{
    private readonly EthereumRpcClient _rpc;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Address, AccountState> _accounts = new();

    /// <summary>Creates a nonce manager reading nonces from <paramref name="rpc"/>.</summary>
    public NonceManager(EthereumRpcClient rpc, ILogger<NonceManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Reserves the next nonce of <paramref name="account"/>.</summary>
    public async Task<NonceReservation> ReserveAsync(Address account, CancellationToken cancellationToken = default)
    {
        var state = _accounts.GetOrAdd(account, static _ => new AccountState());
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!state.Initialised)
            {
                var pending = await _rpc.GetTransactionCountAsync(account, BlockParameter.Pending, cancellationToken).ConfigureAwait(false);
                lock (state)
                {
                    state.Resync(pending);
                }
            }

            ulong nonce;
            lock (state)
            {
                nonce = state.Take();
            }

            return new NonceReservation(this, account, nonce);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// Re-reads the account's pending transaction count from the node and recomputes the free nonces:
    /// everything from the node's count up to the highest nonce handed out that is neither reserved
    /// nor committed becomes free again.
    /// </summary>
    public async Task ResyncAsync(Address account, CancellationToken cancellationToken = default)
    {
        var state = _accounts.GetOrAdd(account, static _ => new AccountState());
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = await _rpc.GetTransactionCountAsync(account, BlockParameter.Pending, cancellationToken).ConfigureAwait(false);
            lock (state)
            {
                state.Resync(pending);
            }

            LogResync(_logger, account.ToString(), pending);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>The nonce the next reservation would get without reuse, or null before the first reservation (for diagnostics).</summary>
    public ulong? PeekNext(Address account)
    {
        if (!_accounts.TryGetValue(account, out var state))
        {
            return null;
        }

        lock (state)
        {
            return state.Initialised ? state.Next : null;
        }
    }

    internal void Complete(Address account, ulong nonce, bool used)
    {
        if (!_accounts.TryGetValue(account, out var state))
        {
            return;
        }

        lock (state)
        {
            state.Complete(nonce, used);
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Nonces of {Account} resynchronised: node pending count {Pending}")]
    private static partial void LogResync(ILogger logger, string account, ulong pending);

    private sealed class AccountState
    {
        private readonly SortedSet<ulong> _free = [];
        private readonly HashSet<ulong> _reserved = [];
        private readonly SortedSet<ulong> _committed = [];

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool Initialised { get; private set; }

        public ulong Next { get; private set; }

        public ulong Take()
        {
            ulong nonce;
            if (_free.Count > 0)
            {
                nonce = _free.Min;
                _free.Remove(nonce);
            }
            else
            {
                nonce = Next++;
            }

            _reserved.Add(nonce);
            return nonce;
        }

        public void Complete(ulong nonce, bool used)
        {
            if (!_reserved.Remove(nonce))
            {
                return;
            }

            if (used)
            {
                _committed.Add(nonce);
                return;
            }

            if (nonce >= Next)
            {
                // A resync moved Next below... nothing to return.
                return;
            }

            _free.Add(nonce);

            // Roll back the top so a released highest nonce does not leave a gap.
            while (_free.Count > 0 && _free.Max == Next - 1)
            {
                _free.Remove(Next - 1);
                Next--;
            }
        }

        public void Resync(ulong pending)
        {
            Initialised = true;
            _committed.RemoveWhere(n => n < pending);
            var highest = pending;
            foreach (var n in _reserved)
            {
                highest = Math.Max(highest, n + 1);
            }

            if (_committed.Count > 0)
            {
                highest = Math.Max(highest, _committed.Max + 1);
            }

            _free.Clear();
            for (var n = pending; n < highest; n++)
            {
                if (!_reserved.Contains(n) && !_committed.Contains(n))
                {
                    _free.Add(n);
                }
            }

            Next = highest;
        }
    }
}
