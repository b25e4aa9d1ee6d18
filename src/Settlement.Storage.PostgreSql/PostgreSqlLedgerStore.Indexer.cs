using Npgsql;
using NpgsqlTypes;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Storage.PostgreSql;

/// <summary>
/// The chain indexer's tables in the ledger's PostgreSQL database: a batch or a rollback is one READ COMMITTED
/// transaction that first locks the stream's checkpoint row (<c>FOR UPDATE</c>; a first batch inserts it, and a
/// concurrent first insert hits the primary key and is retried), then the accounts in ascending id order and the journal
/// head as every ledger batch does. Refusals roll the transaction back. Decisions are <see cref="ChainIndexRules"/> and
/// <see cref="LedgerEngine"/>'s, shared with SQLite.
/// </summary>
public sealed partial class PostgreSqlLedgerStore : IChainIndexStore
{
    private const string ReversedPrefix = "reversed:";

    private const string EventColumns =
        "chain_id, contract, tx_hash, log_index, block_number, block_hash, kind, ignored, channel_id, payee_cumulative, transfer_ids";

    /// <inheritdoc />
    public async Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadCheckpointAsync(connection, null, stream, forUpdate: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            "SELECT number, hash FROM indexer_blocks WHERE stream = @s AND number <= @n ORDER BY number DESC LIMIT @limit", connection);
        select.Parameters.AddWithValue("s", stream);
        select.Parameters.AddWithValue("n", (long)Math.Min(atOrBelow, long.MaxValue));
        select.Parameters.AddWithValue("limit", limit);
        var blocks = new List<BlockRef>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            blocks.Add(new BlockRef((ulong)reader.GetInt64(0), reader.GetString(1)));
        }

        return blocks;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<IndexedChannel>> GetChannelsAsync(string stream, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(channelIds);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            """
            SELECT c.channel_id, c.payer, c.payee, c.token, c.opened_block,
                   (SELECT e.payee_cumulative FROM indexer_events e
                    WHERE e.stream = c.stream AND e.channel_id = c.channel_id AND e.payee_cumulative IS NOT NULL
                    ORDER BY e.block_number DESC, (e.log_index & 4294967295) DESC, e.log_index DESC LIMIT 1)
            FROM indexer_channels c WHERE c.stream = @s AND c.channel_id = ANY(@ids)
            """,
            connection);
        select.Parameters.AddWithValue("s", stream);
        select.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = channelIds.Distinct(StringComparer.Ordinal).ToArray() });
        var channels = new List<IndexedChannel>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            channels.Add(new IndexedChannel(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (ulong)reader.GetInt64(4),
                reader.IsDBNull(5) ? UInt128.Zero : LedgerCodec.Decode(reader.GetValue(5), "payee cumulative")));
        }

        return channels;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEventsAsync(connection, null, stream, -1, ascending: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BookedEvent>> FindEventsByTransactionAsync(string stream, string transactionHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentException.ThrowIfNullOrEmpty(transactionHash);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            $"SELECT {EventColumns} FROM indexer_events WHERE stream = @s AND tx_hash = @t ORDER BY block_number, (log_index & 4294967295), log_index", connection);
        select.Parameters.AddWithValue("s", stream);
        select.Parameters.AddWithValue("t", transactionHash.ToLowerInvariant());
        return await ReadEventRowsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<ChainIndexWriteResult> ApplyBatchAsync(
        ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return WithIndexTransactionAsync(
            async (connection, tx) =>
            {
                var stored = await ReadCheckpointAsync(connection, tx, batch.Stream, forUpdate: true, cancellationToken).ConfigureAwait(false);
                if (ChainIndexRules.CheckBatch(batch, stored) is { } refusal)
                {
                    return ChainIndexWriteResult.Refused(refusal.Refusal, refusal.Detail);
                }

                if (batch.Events.Count > 0)
                {
                    await using var exists = new NpgsqlCommand(
                        """
                        SELECT e.chain_id, e.contract, e.tx_hash, e.log_index FROM indexer_events e
                        JOIN unnest(@c, @k, @t, @l) AS k(chain_id, contract, tx_hash, log_index)
                          ON e.chain_id = k.chain_id AND e.contract = k.contract AND e.tx_hash = k.tx_hash AND e.log_index = k.log_index
                        LIMIT 1
                        """,
                        connection,
                        tx);
                    exists.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Events.Select(e => checked((long)e.Key.ChainId)).ToArray() });
                    exists.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Events.Select(e => e.Key.Contract).ToArray() });
                    exists.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Events.Select(e => e.Key.TransactionHash).ToArray() });
                    exists.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Events.Select(e => checked((long)e.Key.LogIndex)).ToArray() });
                    await using var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var key = new ChainEventKey((ulong)reader.GetInt64(0), reader.GetString(1), reader.GetString(2), (ulong)reader.GetInt64(3));
                        return ChainIndexWriteResult.Refused(ChainIndexRefusal.EventAlreadyBooked, $"event {key} is booked already");
                    }
                }

                var now = _time.GetUtcNow();
                if (batch.Accounts.Count > 0)
                {
                    var snapshot = new LedgerSnapshot();
                    await LockAccountsAsync(connection, tx, batch.Accounts.Select(a => a.Id).Distinct().Order().ToList(), snapshot, cancellationToken).ConfigureAwait(false);
                    var outcome = LedgerEngine.CreateAccounts(batch.Accounts, snapshot, now);
                    if (ChainIndexRules.FirstFailure(outcome.Results, i => batch.Accounts[i].Id, CreateAccountResult.Ok, CreateAccountResult.Exists) is { } failure)
                    {
                        return ChainIndexWriteResult.Refused(ChainIndexRefusal.AccountConflict, "account " + failure);
                    }

                    if (outcome.CreatedAccounts.Count > 0)
                    {
                        await using var insert = new NpgsqlCommand(
                            $"INSERT INTO ledger_accounts ({AccountColumns}) SELECT * FROM unnest(@id, @ledger, @code, @flags, @user, @dp, @dpo, @cp, @cpo, @at)",
                            connection,
                            tx);
                        var created = outcome.CreatedAccounts;
                        AddBytesArray(insert, "id", created.Select(a => a.Account.Id));
                        AddLongArray(insert, "ledger", created.Select(a => (long)a.Account.Ledger));
                        AddLongArray(insert, "code", created.Select(a => (long)a.Account.Code));
                        AddLongArray(insert, "flags", created.Select(a => (long)a.Account.Flags));
                        AddBytesArray(insert, "user", created.Select(a => a.Account.UserData));
                        AddBytesArray(insert, "dp", created.Select(_ => UInt128.Zero));
                        AddBytesArray(insert, "dpo", created.Select(_ => UInt128.Zero));
                        AddBytesArray(insert, "cp", created.Select(_ => UInt128.Zero));
                        AddBytesArray(insert, "cpo", created.Select(_ => UInt128.Zero));
                        AddLongArray(insert, "at", created.Select(a => a.CreatedAt.UtcTicks));
                        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        await AppendJournalAsync(connection, tx, outcome.Entries, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (await ApplyTransfersAsync(connection, tx, batch.Transfers, now, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused.StartsWith(ReversedPrefix, StringComparison.Ordinal)
                        ? ChainIndexWriteResult.Refused(ChainIndexRefusal.TransferReversed, "transfer " + refused[ReversedPrefix.Length..])
                        : ChainIndexWriteResult.Refused(ChainIndexRefusal.LedgerRefused, "transfer " + refused);
                }

                await StepAsync(onStep, IndexerStep.StoreLedgerWritten, cancellationToken).ConfigureAwait(false);
                await InsertEventsAsync(connection, tx, batch, cancellationToken).ConfigureAwait(false);
                await StepAsync(onStep, IndexerStep.StoreEventsWritten, cancellationToken).ConfigureAwait(false);
                var checkpoint = new IndexerCheckpoint(
                    batch.Stream, batch.ChainId, batch.NewCheckpoint, stored?.Epoch ?? 0, (stored?.EventsBooked ?? 0) + batch.Events.Count, stored?.Reorgs ?? 0);
                await WriteCheckpointAsync(connection, tx, checkpoint, now, cancellationToken).ConfigureAwait(false);
                await StepAsync(onStep, IndexerStep.StoreCheckpointWritten, cancellationToken).ConfigureAwait(false);
                return new ChainIndexWriteResult(null, null, checkpoint);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<ChainIndexWriteResult> RollbackAsync(
        ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        return WithIndexTransactionAsync(
            async (connection, tx) =>
            {
                var stored = await ReadCheckpointAsync(connection, tx, rollback.Stream, forUpdate: true, cancellationToken).ConfigureAwait(false);
                if (ChainIndexRules.CheckRollback(rollback, stored) is { } refusal)
                {
                    return ChainIndexWriteResult.Refused(refusal.Refusal, refusal.Detail);
                }

                var floor = rollback.Target is { } target ? (long)target.Number : -1L;
                if (rollback.Target is { } t)
                {
                    await using var select = new NpgsqlCommand("SELECT hash FROM indexer_blocks WHERE stream = @s AND number = @n", connection, tx);
                    select.Parameters.AddWithValue("s", rollback.Stream);
                    select.Parameters.AddWithValue("n", (long)t.Number);
                    if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string hash || !string.Equals(hash, t.Hash, StringComparison.Ordinal))
                    {
                        return ChainIndexWriteResult.Refused(ChainIndexRefusal.TargetBlockUnknown, $"block {t} is not a stored block of stream '{rollback.Stream}'");
                    }
                }

                var events = await ReadEventsAsync(connection, tx, rollback.Stream, floor, ascending: false, cancellationToken).ConfigureAwait(false);
                var originals = new LedgerSnapshot();
                await LoadTransfersAsync(connection, tx, events.SelectMany(e => e.TransferIds).Distinct().ToList(), originals, cancellationToken).ConfigureAwait(false);
                var reversals = ChainIndexRules.Reversals(events, originals.Transfers);
                var now = _time.GetUtcNow();
                if (await ApplyTransfersAsync(connection, tx, reversals, now, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return ChainIndexWriteResult.Refused(ChainIndexRefusal.LedgerRefused, "reversal " + refused);
                }

                await StepAsync(onStep, IndexerStep.StoreLedgerWritten, cancellationToken).ConfigureAwait(false);
                await using (var delete = new NpgsqlCommand(
                    """
                    DELETE FROM indexer_events WHERE stream = @s AND block_number > @n;
                    DELETE FROM indexer_channels WHERE stream = @s AND opened_block > @n;
                    DELETE FROM indexer_blocks WHERE stream = @s AND number > @n;
                    """,
                    connection,
                    tx))
                {
                    delete.Parameters.AddWithValue("s", rollback.Stream);
                    delete.Parameters.AddWithValue("n", floor);
                    await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await StepAsync(onStep, IndexerStep.StoreEventsWritten, cancellationToken).ConfigureAwait(false);
                var checkpoint = stored! with
                {
                    Block = rollback.Target,
                    Epoch = stored.Epoch + 1,
                    EventsBooked = stored.EventsBooked - events.Count,
                    Reorgs = stored.Reorgs + 1,
                };
                await using (var history = new NpgsqlCommand(
                    """
                    INSERT INTO indexer_rollbacks (stream, epoch, from_block, from_hash, to_block, to_hash, events_reversed, transfers_reversed, at)
                    VALUES (@s, @epoch, @fb, @fh, @tb, @th, @events, @transfers, @at)
                    """,
                    connection,
                    tx))
                {
                    history.Parameters.AddWithValue("s", rollback.Stream);
                    history.Parameters.AddWithValue("epoch", checkpoint.Epoch);
                    history.Parameters.AddWithValue("fb", (long)rollback.Expected.Number);
                    history.Parameters.AddWithValue("fh", rollback.Expected.Hash);
                    history.Parameters.Add(new NpgsqlParameter("tb", NpgsqlDbType.Bigint) { Value = rollback.Target is { } tb ? (long)tb.Number : DBNull.Value });
                    history.Parameters.Add(new NpgsqlParameter("th", NpgsqlDbType.Text) { Value = (object?)rollback.Target?.Hash ?? DBNull.Value });
                    history.Parameters.AddWithValue("events", (long)events.Count);
                    history.Parameters.AddWithValue("transfers", (long)reversals.Count);
                    history.Parameters.AddWithValue("at", now.UtcTicks);
                    await history.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await WriteCheckpointAsync(connection, tx, checkpoint, now, cancellationToken).ConfigureAwait(false);
                await StepAsync(onStep, IndexerStep.StoreCheckpointWritten, cancellationToken).ConfigureAwait(false);
                return new ChainIndexWriteResult(null, null, checkpoint, events.Count, reversals.Count);
            },
            cancellationToken);
    }

    private static ValueTask StepAsync(Func<IndexerStep, CancellationToken, ValueTask>? onStep, IndexerStep step, CancellationToken cancellationToken) =>
        onStep is null ? ValueTask.CompletedTask : onStep(step, cancellationToken);

    /// <summary>Runs <paramref name="body"/> in a transaction committed only when it applied; retried like a ledger batch.</summary>
    private async Task<ChainIndexWriteResult> WithIndexTransactionAsync(
        Func<NpgsqlConnection, NpgsqlTransaction, Task<ChainIndexWriteResult>> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var result = await body(connection, tx).ConfigureAwait(false);
                if (result.Applied)
                {
                    await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                }

                return result;
            }
            catch (PostgresException ex) when (attempt < _maxRetries
                && ex.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation)
            {
                // A concurrent first checkpoint insert or a concurrent ledger writer: the retry sees its result.
                LogRetry(_logger, ex.SqlState, attempt + 1);
            }
        }
    }

    /// <summary>Applies transfers in the open transaction; returns the first refusal ("id: result") or null.</summary>
    private static async Task<string?> ApplyTransfersAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<Transfer> transfers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (transfers.Count == 0)
        {
            return null;
        }

        var snapshot = new LedgerSnapshot();
        await LoadTransfersAsync(connection, tx, LedgerSnapshot.TransferIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        await LoadResolutionsAsync(connection, tx, LedgerSnapshot.PendingIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        await LockAccountsAsync(connection, tx, snapshot.AccountIdsToLock(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        var outcome = LedgerEngine.CreateTransfers(transfers, snapshot, now);
        if (ChainIndexRules.FirstFailure(outcome.Results, i => transfers[i].Id, CreateTransferResult.Ok, CreateTransferResult.Exists) is { } failure)
        {
            return failure;
        }

        // A transfer that exists may not be one a rollback reversed: its effect is gone, so "exists" would lose the event.
        var repeated = transfers.Where((t, i) => outcome.Results[i] == CreateTransferResult.Exists).Select(t => ChainTransferIds.Reversal(t.Id)).Order().ToList();
        if (repeated.Count > 0)
        {
            var reversals = new LedgerSnapshot();
            await LoadTransfersAsync(connection, tx, repeated, reversals, cancellationToken).ConfigureAwait(false);
            if (reversals.Transfers.Values.FirstOrDefault(r => r.Transfer.Code == (ushort)ChainTransferCode.Reversal) is { } reversal)
            {
                return ReversedPrefix + reversal.Transfer.UserData.ToString(System.Globalization.CultureInfo.InvariantCulture) + " was reversed by " + reversal.Transfer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        await WriteOutcomeAsync(connection, tx, outcome.Entries, outcome.ChangedAccounts.Values, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static async Task InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ChainBlockBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Events.Count > 0)
        {
            var events = batch.Events;
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO indexer_events ({EventColumns}, stream) SELECT *, @s FROM unnest(@c, @k, @t, @l, @bn, @bh, @kind, @ignored, @channel, @cumulative, @ids)",
                connection,
                tx);
            insert.Parameters.AddWithValue("s", batch.Stream);
            insert.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = events.Select(e => checked((long)e.Key.ChainId)).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.Key.Contract).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.Key.TransactionHash).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = events.Select(e => checked((long)e.Key.LogIndex)).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("bn", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = events.Select(e => checked((long)e.BlockNumber)).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("bh", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.BlockHash).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("kind", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = events.Select(e => (long)e.Kind).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("ignored", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = events.Select(e => e.Ignored is { } i ? (long?)i : null).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("channel", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.ChannelId).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("cumulative", NpgsqlDbType.Array | NpgsqlDbType.Bytea)
            {
                Value = events.Select(e => e.PayeeCumulative is { } c ? LedgerCodec.Encode(c) : null).ToArray(),
            });
            insert.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = events.Select(e => ChainIndexRules.EncodeIds(e.TransferIds)).ToArray() });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (batch.Channels.Count > 0)
        {
            var channels = batch.Channels;
            await using var insert = new NpgsqlCommand(
                "INSERT INTO indexer_channels (stream, channel_id, payer, payee, token, opened_block) SELECT @s, * FROM unnest(@id, @payer, @payee, @token, @block)",
                connection,
                tx);
            insert.Parameters.AddWithValue("s", batch.Stream);
            insert.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = channels.Select(c => c.ChannelId).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("payer", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = channels.Select(c => c.Payer).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("payee", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = channels.Select(c => c.Payee).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("token", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = channels.Select(c => c.Token).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("block", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = channels.Select(c => checked((long)c.OpenedBlock)).ToArray() });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var insert = new NpgsqlCommand("INSERT INTO indexer_blocks (stream, number, hash) SELECT @s, * FROM unnest(@n, @h)", connection, tx))
        {
            insert.Parameters.AddWithValue("s", batch.Stream);
            insert.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = batch.Blocks.Select(b => checked((long)b.Number)).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Blocks.Select(b => b.Hash).ToArray() });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<List<BookedEvent>> ReadEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, string stream, long aboveBlock, bool ascending, CancellationToken cancellationToken)
    {
        var order = ascending ? "ASC" : "DESC";
        await using var select = new NpgsqlCommand(
            $"SELECT {EventColumns} FROM indexer_events WHERE stream = @s AND block_number > @n ORDER BY block_number {order}, (log_index & 4294967295) {order}, log_index {order}", connection, tx);
        select.Parameters.AddWithValue("s", stream);
        select.Parameters.AddWithValue("n", aboveBlock);
        return await ReadEventRowsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<BookedEvent>> ReadEventRowsAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        var events = new List<BookedEvent>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new BookedEvent(
                new ChainEventKey((ulong)reader.GetInt64(0), reader.GetString(1), reader.GetString(2), (ulong)reader.GetInt64(3)),
                (ulong)reader.GetInt64(4),
                reader.GetString(5),
                (ChainEventKind)reader.GetInt64(6),
                ChainIndexRules.DecodeIds((byte[])reader.GetValue(10)),
                reader.IsDBNull(7) ? null : (EventIgnoredReason)reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : LedgerCodec.Decode(reader.GetValue(9), "payee cumulative")));
        }

        return events;
    }

    private static async Task<IndexerCheckpoint?> ReadCheckpointAsync(
        NpgsqlConnection connection, NpgsqlTransaction? tx, string stream, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(
            "SELECT chain_id, block_number, block_hash, epoch, events_booked, reorgs FROM indexer_checkpoints WHERE stream = @s" + (forUpdate ? " FOR UPDATE" : string.Empty),
            connection,
            tx);
        select.Parameters.AddWithValue("s", stream);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var block = reader.IsDBNull(1) ? null : new BlockRef((ulong)reader.GetInt64(1), reader.GetString(2));
        return new IndexerCheckpoint(stream, (ulong)reader.GetInt64(0), block, reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    private static async Task WriteCheckpointAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IndexerCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var upsert = new NpgsqlCommand(
            """
            INSERT INTO indexer_checkpoints (stream, chain_id, block_number, block_hash, epoch, events_booked, reorgs, updated_at)
            VALUES (@s, @c, @n, @h, @epoch, @events, @reorgs, @at)
            ON CONFLICT (stream) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, epoch = excluded.epoch,
                events_booked = excluded.events_booked, reorgs = excluded.reorgs, updated_at = excluded.updated_at
            """,
            connection,
            tx);
        upsert.Parameters.AddWithValue("s", checkpoint.Stream);
        upsert.Parameters.AddWithValue("c", checked((long)checkpoint.ChainId));
        upsert.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Bigint) { Value = checkpoint.Block is { } b ? checked((long)b.Number) : DBNull.Value });
        upsert.Parameters.Add(new NpgsqlParameter("h", NpgsqlDbType.Text) { Value = (object?)checkpoint.Block?.Hash ?? DBNull.Value });
        upsert.Parameters.AddWithValue("epoch", checkpoint.Epoch);
        upsert.Parameters.AddWithValue("events", checkpoint.EventsBooked);
        upsert.Parameters.AddWithValue("reorgs", checkpoint.Reorgs);
        upsert.Parameters.AddWithValue("at", now.UtcTicks);
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
