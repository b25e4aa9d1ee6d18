using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>
/// A scripted chain for the follower's unit tests: blocks with hashes and timestamps, events per block, the channel
/// states the contract would answer, and a record of every range read and transaction sent.
/// </summary>
internal sealed class FakeWatchtowerChain : IWatchtowerChain
{
    private readonly Dictionary<ulong, TowerBlock> _blocks = [];
    private readonly Dictionary<ulong, List<ChannelEvent>> _events = [];
    private int _nextTransaction;

    public FakeWatchtowerChain(IWatchtowerStore store) => Store = store;

    public IWatchtowerStore Store { get; }

    public ulong ChainId => 31337;

    public Address Contract { get; } = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");

    public Address Sender { get; } = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

    public ulong Head { get; private set; }

    /// <summary>The channel states <see cref="GetStateAsync"/> answers (missing: settled, all zero).</summary>
    public Dictionary<ChannelId, ChannelState> States { get; } = [];

    /// <summary>Statuses of sent transactions by hash (hex); missing: unknown.</summary>
    public Dictionary<string, TowerTransactionStatus> Statuses { get; } = [];

    /// <summary>Every (from, to) range the follower asked the events of.</summary>
    public List<(ulong From, ulong To)> Ranges { get; } = [];

    /// <summary>Every transaction sent: kind, channel, voucher amount (0 for a settle), and whether the store held it at broadcast.</summary>
    public List<(DisputeKind Kind, ChannelId Channel, BigInteger Amount, bool StoredBeforeBroadcast)> Sent { get; } = [];

    public List<TowerTransaction> Rebroadcasts { get; } = [];

    /// <summary>What <see cref="RebroadcastAsync"/> answers.</summary>
    public bool RebroadcastAccepted { get; set; } = true;

    /// <summary>When set, <see cref="GetStateAsync"/> for this channel throws it.</summary>
    public Dictionary<ChannelId, Exception> StateFailures { get; } = [];

    /// <summary>Blocks at or above this number are not served by <see cref="GetBlockAsync"/> (a node behind its own head).</summary>
    public ulong? BlocksMissingFrom { get; set; }

    /// <summary>Mines blocks up to <paramref name="number"/>, 12 s apart from <paramref name="firstTimestamp"/>, on fork <paramref name="fork"/>.</summary>
    public void MineTo(ulong number, byte fork = 0, ulong firstTimestamp = 1_000)
    {
        for (var n = Head == 0 && !_blocks.ContainsKey(0) ? 0 : Head + 1; n <= number; n++)
        {
            _blocks[n] = new TowerBlock(n, HashOf(n, fork), firstTimestamp + (n * 12));
        }

        Head = number;
    }

    /// <summary>Replaces blocks from <paramref name="from"/> up to the head with blocks of another fork (their events are dropped).</summary>
    public void Reorg(ulong from, byte fork)
    {
        for (var n = from; n <= Head; n++)
        {
            _blocks[n] = new TowerBlock(n, HashOf(n, fork), _blocks[n].Timestamp);
            _events.Remove(n);
        }
    }

    public TowerBlock Block(ulong number) => _blocks[number];

    public void AddEvent(ulong block, ChannelEvent e)
    {
        if (!_events.TryGetValue(block, out var list))
        {
            _events[block] = list = [];
        }

        list.Add(e with { BlockNumber = block });
    }

    public static byte[] HashOf(ulong number, byte fork)
    {
        var hash = new byte[32];
        BitConverter.TryWriteBytes(hash.AsSpan(0, 8), number);
        hash[31] = (byte)(fork + 1);
        return hash;
    }

    /// <summary>How many times the head was read.</summary>
    public int HeadReads { get; private set; }

    public Task<ulong> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        HeadReads++;
        return Task.FromResult(Head);
    }

    public Task<TowerBlock?> GetBlockAsync(ulong number, CancellationToken cancellationToken = default) =>
        Task.FromResult(number <= Head && (BlocksMissingFrom is not { } missing || number < missing) ? _blocks[number] : null);

    public Task<IReadOnlyList<ChannelEvent>> GetEventsAsync(ulong from, ulong to, CancellationToken cancellationToken = default)
    {
        Ranges.Add((from, to));
        var list = new List<ChannelEvent>();
        for (var n = from; n <= to; n++)
        {
            if (_events.TryGetValue(n, out var events))
            {
                list.AddRange(events);
            }
        }

        return Task.FromResult<IReadOnlyList<ChannelEvent>>(list);
    }

    /// <summary>How many times a channel state was read (failed reads included).</summary>
    public int StateReads { get; private set; }

    public Task<ChannelState> GetStateAsync(ChannelId channelId, CancellationToken cancellationToken = default)
    {
        StateReads++;
        if (StateFailures.TryGetValue(channelId, out var failure))
        {
            throw failure;
        }

        return Task.FromResult(States.TryGetValue(channelId, out var state) ? state : new ChannelState(false, 0, 0, 0, 0, 0));
    }

    public Task<TowerTransactionStatus> GetTransactionStatusAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default) =>
        Task.FromResult(Statuses.TryGetValue(Convert.ToHexString(hash.Span), out var status) ? status : TowerTransactionStatus.Unknown);

    public Task<TowerTransaction> SubmitRedeemAsync(
        ChannelParameters channel, SignedVoucher voucher, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default) =>
        SendAsync(DisputeKind.Redeem, channel.Id, voucher.Voucher.CumulativeAmount, beforeBroadcast, cancellationToken);

    public Task<TowerTransaction> SubmitSettleAsync(
        ChannelParameters channel, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken = default) =>
        SendAsync(DisputeKind.Settle, channel.Id, BigInteger.Zero, beforeBroadcast, cancellationToken);

    public Task<bool> RebroadcastAsync(TowerTransaction transaction, CancellationToken cancellationToken = default)
    {
        Rebroadcasts.Add(transaction);
        return Task.FromResult(RebroadcastAccepted);
    }

    private async Task<TowerTransaction> SendAsync(
        DisputeKind kind, ChannelId channel, BigInteger amount, Func<TowerTransaction, CancellationToken, Task> beforeBroadcast, CancellationToken cancellationToken)
    {
        var n = ++_nextTransaction;
        var hash = new byte[32];
        hash[0] = 0xAA;
        hash[31] = (byte)n;
        var tx = new TowerTransaction(hash, new byte[] { 0x02, (byte)n });
        await beforeBroadcast(tx, cancellationToken);
        var stored = await Store.GetDisputeAsync(channel, kind, cancellationToken);
        Sent.Add((kind, channel, amount, stored is not null && stored.TransactionHash.Span.SequenceEqual(hash)));
        Statuses[Convert.ToHexString(hash)] = TowerTransactionStatus.Pending;
        return tx;
    }
}

/// <summary>An in-memory <see cref="IWatchtowerStore"/> with the SQLite store's rules (the follower's unit tests).</summary>
internal sealed class InMemoryWatchtowerStore : IWatchtowerStore
{
    private readonly Dictionary<ChannelId, Delegation> _delegations = [];
    private readonly Dictionary<(ChannelId, DisputeKind), DisputeRecord> _disputes = [];
    private readonly List<WatchtowerAlert> _alerts = [];
    private readonly List<BlockMark> _recent = [];
    private BlockMark? _head;

    public List<string> Writes { get; } = [];

    /// <summary>Every delegation handed to <see cref="SaveDelegationAsync"/>, as given.</summary>
    public List<Delegation> Saved { get; } = [];

    /// <summary>
    /// When set, stored (as is) at the start of the next <see cref="SaveDelegationAsync"/>: another update that won the
    /// race between the intake's read and its write.
    /// </summary>
    public Delegation? RaceWith { get; set; }

    public Task MigrateAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<DelegationWrite> SaveDelegationAsync(Delegation delegation, CancellationToken cancellationToken = default)
    {
        Saved.Add(delegation);
        if (RaceWith is { } racer)
        {
            RaceWith = null;
            _delegations[racer.ChannelId] = racer;
        }

        if (_delegations.TryGetValue(delegation.ChannelId, out var held))
        {
            if (held.Amount == delegation.Amount)
            {
                return Task.FromResult(DelegationWrite.Unchanged);
            }

            if (held.Amount > delegation.Amount)
            {
                return Task.FromResult(DelegationWrite.NotNewer);
            }

            delegation = delegation with { CloseDeadline = held.CloseDeadline ?? delegation.CloseDeadline, Finished = held.Finished };
        }

        _delegations[delegation.ChannelId] = delegation;
        return Task.FromResult(DelegationWrite.Stored);
    }

    public Task<Delegation?> GetDelegationAsync(ChannelId channelId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_delegations.GetValueOrDefault(channelId));

    public Task<IReadOnlyList<Delegation>> ListActiveDelegationsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Delegation>>(_delegations.Values.Where(d => !d.Finished).ToList());

    public Task SetCloseDeadlineAsync(ChannelId channelId, ulong? deadline, CancellationToken cancellationToken = default)
    {
        Writes.Add($"deadline {channelId} {deadline?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}");
        if (_delegations.TryGetValue(channelId, out var held))
        {
            _delegations[channelId] = held with { CloseDeadline = deadline };
        }

        return Task.CompletedTask;
    }

    public Task SetFinishedAsync(ChannelId channelId, CancellationToken cancellationToken = default)
    {
        Writes.Add($"finished {channelId}");
        if (_delegations.TryGetValue(channelId, out var held))
        {
            _delegations[channelId] = held with { Finished = true };
        }

        return Task.CompletedTask;
    }

    public Task<WatchtowerCheckpoint?> GetCheckpointAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_head is null ? null : new WatchtowerCheckpoint(_head, _recent.OrderByDescending(m => m.Number).ToList()));

    public Task AdvanceCheckpointAsync(BlockMark head, int keep, CancellationToken cancellationToken = default)
    {
        Writes.Add($"checkpoint {head.Number}");
        _head = head;
        _recent.RemoveAll(m => m.Number >= head.Number);
        _recent.Add(head);
        var kept = _recent.OrderByDescending(m => m.Number).Take(keep).ToList();
        _recent.Clear();
        _recent.AddRange(kept);
        return Task.CompletedTask;
    }

    public Task RewindAsync(BlockMark? forkPoint, CancellationToken cancellationToken = default)
    {
        Writes.Add($"rewind {forkPoint?.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"}");
        if (forkPoint is null)
        {
            _head = null;
            _recent.Clear();
        }
        else
        {
            _recent.RemoveAll(m => m.Number > forkPoint.Number);
            _head = forkPoint;
        }

        return Task.CompletedTask;
    }

    public Task SaveDisputeAsync(DisputeRecord dispute, CancellationToken cancellationToken = default)
    {
        _disputes[(dispute.ChannelId, dispute.Kind)] = dispute;
        return Task.CompletedTask;
    }

    public Task<DisputeRecord?> GetDisputeAsync(ChannelId channelId, DisputeKind kind, CancellationToken cancellationToken = default) =>
        Task.FromResult(_disputes.GetValueOrDefault((channelId, kind)));

    public Task<bool> AddAlertAsync(WatchtowerAlert alert, CancellationToken cancellationToken = default)
    {
        if (_alerts.Any(a => a.ChannelId == alert.ChannelId && a.Kind == alert.Kind && a.Amount == alert.Amount))
        {
            return Task.FromResult(false);
        }

        _alerts.Add(alert);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<WatchtowerAlert>> ListAlertsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<WatchtowerAlert>>(_alerts.ToList());
}
