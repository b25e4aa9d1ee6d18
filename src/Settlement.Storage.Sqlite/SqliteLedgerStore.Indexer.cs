using Microsoft.Data.Sqlite;
using Settlement.Service.Indexer;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Indexer.Storage;
using Settlement.Service.Ledger;

namespace Settlement.Service.Storage.Sqlite;

/// <summary>
/// The chain indexer's tables in the ledger's SQLite file: a batch (accounts, transfers, event keys, channels, block
/// hashes, checkpoint) or a rollback (reversals, deletions, checkpoint) is one <c>BEGIN IMMEDIATE</c> transaction,
/// so a crash leaves all of it or none. Decisions are <see cref="ChainIndexRules"/> and <see cref="LedgerEngine"/>'s.
/// </summary>
public sealed partial class SqliteLedgerStore : IChainIndexStore
{
    private const string ReversedPrefix = "reversed:";

    private const string EventColumns =
        "chain_id, contract, tx_hash, log_index, block_number, block_hash, kind, ignored, channel_id, payee_cumulative, transfer_ids";

    /// <inheritdoc />
    public async Task<IndexerCheckpoint?> GetCheckpointAsync(string stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await ReadCheckpointAsync(connection, null, stream, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BlockRef>> GetBlocksAsync(string stream, ulong atOrBelow, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT number, hash FROM indexer_blocks WHERE stream = $s AND number <= $n ORDER BY number DESC LIMIT $limit";
        select.Parameters.AddWithValue("$s", stream);
        select.Parameters.AddWithValue("$n", checked((long)Math.Min(atOrBelow, long.MaxValue)));
        select.Parameters.AddWithValue("$limit", limit);
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
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT c.channel_id, c.payer, c.payee, c.token, c.opened_block,
                   (SELECT e.payee_cumulative FROM indexer_events e
                    WHERE e.stream = c.stream AND e.channel_id = c.channel_id AND e.payee_cumulative IS NOT NULL
                    ORDER BY e.block_number DESC, (e.log_index & 4294967295) DESC, e.log_index DESC LIMIT 1)
            FROM indexer_channels c WHERE c.stream = $s AND c.channel_id = $id
            """;
        select.Parameters.AddWithValue("$s", stream);
        var id = select.Parameters.Add("$id", SqliteType.Text);
        var channels = new List<IndexedChannel>();
        foreach (var channelId in channelIds.Distinct(StringComparer.Ordinal))
        {
            id.Value = channelId;
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                channels.Add(new IndexedChannel(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (ulong)reader.GetInt64(4),
                    reader.IsDBNull(5) ? UInt128.Zero : LedgerCodec.Decode(reader.GetValue(5), "payee cumulative")));
            }
        }

        return channels;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BookedEvent>> ListEventsAsync(string stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEventsAsync(connection, null, stream, -1, ascending: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BookedEvent>> FindEventsByTransactionAsync(string stream, string transactionHash, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentException.ThrowIfNullOrEmpty(transactionHash);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {EventColumns} FROM indexer_events WHERE stream = $s AND tx_hash = $t ORDER BY block_number, (log_index & 4294967295), log_index";
        select.Parameters.AddWithValue("$s", stream);
        select.Parameters.AddWithValue("$t", transactionHash.ToLowerInvariant());
        return await ReadEventRowsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ChainIndexWriteResult> ApplyBatchAsync(
        ChainBlockBatch batch, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await ReadCheckpointAsync(connection, tx, batch.Stream, cancellationToken).ConfigureAwait(false);
        if (ChainIndexRules.CheckBatch(batch, stored) is { } refusal)
        {
            return ChainIndexWriteResult.Refused(refusal.Refusal, refusal.Detail);
        }

        await using (var exists = connection.CreateCommand())
        {
            exists.Transaction = tx;
            exists.CommandText = "SELECT 1 FROM indexer_events WHERE chain_id = $c AND contract = $k AND tx_hash = $t AND log_index = $l";
            var (c, k, t, l) = (exists.Parameters.Add("$c", SqliteType.Integer), exists.Parameters.Add("$k", SqliteType.Text),
                exists.Parameters.Add("$t", SqliteType.Text), exists.Parameters.Add("$l", SqliteType.Integer));
            foreach (var e in batch.Events)
            {
                (c.Value, k.Value, t.Value, l.Value) = ((long)e.Key.ChainId, e.Key.Contract, e.Key.TransactionHash, (long)e.Key.LogIndex);
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    return ChainIndexWriteResult.Refused(ChainIndexRefusal.EventAlreadyBooked, $"event {e.Key} is booked already");
                }
            }
        }

        var now = _time.GetUtcNow();
        if (batch.Accounts.Count > 0)
        {
            var snapshot = new LedgerSnapshot();
            await LoadAccountsAsync(connection, tx, batch.Accounts.Select(a => a.Id).Distinct().Order().ToList(), snapshot, cancellationToken).ConfigureAwait(false);
            var outcome = LedgerEngine.CreateAccounts(batch.Accounts, snapshot, now);
            if (ChainIndexRules.FirstFailure(outcome.Results, i => batch.Accounts[i].Id, CreateAccountResult.Ok, CreateAccountResult.Exists) is { } failure)
            {
                return ChainIndexWriteResult.Refused(ChainIndexRefusal.AccountConflict, "account " + failure);
            }

            if (outcome.CreatedAccounts.Count > 0)
            {
                await using (var insert = connection.CreateCommand())
                {
                    insert.Transaction = tx;
                    insert.CommandText = $"INSERT INTO ledger_accounts ({AccountColumns}) VALUES ($id, $ledger, $code, $flags, $user, $dp, $dpo, $cp, $cpo, $at)";
                    var set = AccountParameters(insert);
                    foreach (var account in outcome.CreatedAccounts)
                    {
                        set(account);
                        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

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
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ChainIndexWriteResult(null, null, checkpoint);
    }

    /// <inheritdoc />
    public async Task<ChainIndexWriteResult> RollbackAsync(
        ChainRollback rollback, Func<IndexerStep, CancellationToken, ValueTask>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = await ReadCheckpointAsync(connection, tx, rollback.Stream, cancellationToken).ConfigureAwait(false);
        if (ChainIndexRules.CheckRollback(rollback, stored) is { } refusal)
        {
            return ChainIndexWriteResult.Refused(refusal.Refusal, refusal.Detail);
        }

        var floor = rollback.Target is { } target ? (long)target.Number : -1L;
        if (rollback.Target is { } t)
        {
            await using var select = connection.CreateCommand();
            select.Transaction = tx;
            select.CommandText = "SELECT hash FROM indexer_blocks WHERE stream = $s AND number = $n";
            select.Parameters.AddWithValue("$s", rollback.Stream);
            select.Parameters.AddWithValue("$n", (long)t.Number);
            if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string hash || !string.Equals(hash, t.Hash, StringComparison.Ordinal))
            {
                return ChainIndexWriteResult.Refused(ChainIndexRefusal.TargetBlockUnknown, $"block {t} is not a stored block of stream '{rollback.Stream}'");
            }
        }

        var events = await ReadEventsAsync(connection, tx, rollback.Stream, floor, ascending: false, cancellationToken).ConfigureAwait(false);
        var originals = new LedgerSnapshot();
        await LoadTransfersAsync(connection, tx, events.SelectMany(e => e.TransferIds).Distinct().Order().ToList(), originals, cancellationToken).ConfigureAwait(false);
        var reversals = ChainIndexRules.Reversals(events, originals.Transfers);
        var now = _time.GetUtcNow();
        if (await ApplyTransfersAsync(connection, tx, reversals, now, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return ChainIndexWriteResult.Refused(ChainIndexRefusal.LedgerRefused, "reversal " + refused);
        }

        await StepAsync(onStep, IndexerStep.StoreLedgerWritten, cancellationToken).ConfigureAwait(false);
        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = tx;
            delete.CommandText = """
                DELETE FROM indexer_events WHERE stream = $s AND block_number > $n;
                DELETE FROM indexer_channels WHERE stream = $s AND opened_block > $n;
                DELETE FROM indexer_blocks WHERE stream = $s AND number > $n;
                """;
            delete.Parameters.AddWithValue("$s", rollback.Stream);
            delete.Parameters.AddWithValue("$n", floor);
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
        await using (var history = connection.CreateCommand())
        {
            history.Transaction = tx;
            history.CommandText = """
                INSERT INTO indexer_rollbacks (stream, epoch, from_block, from_hash, to_block, to_hash, events_reversed, transfers_reversed, at)
                VALUES ($s, $epoch, $fb, $fh, $tb, $th, $events, $transfers, $at)
                """;
            history.Parameters.AddWithValue("$s", rollback.Stream);
            history.Parameters.AddWithValue("$epoch", checkpoint.Epoch);
            history.Parameters.AddWithValue("$fb", (long)rollback.Expected.Number);
            history.Parameters.AddWithValue("$fh", rollback.Expected.Hash);
            history.Parameters.AddWithValue("$tb", rollback.Target is { } tb ? (long)tb.Number : DBNull.Value);
            history.Parameters.AddWithValue("$th", (object?)rollback.Target?.Hash ?? DBNull.Value);
            history.Parameters.AddWithValue("$events", events.Count);
            history.Parameters.AddWithValue("$transfers", reversals.Count);
            history.Parameters.AddWithValue("$at", now.UtcTicks);
            await history.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await WriteCheckpointAsync(connection, tx, checkpoint, now, cancellationToken).ConfigureAwait(false);
        await StepAsync(onStep, IndexerStep.StoreCheckpointWritten, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ChainIndexWriteResult(null, null, checkpoint, events.Count, reversals.Count);
    }

    private static ValueTask StepAsync(Func<IndexerStep, CancellationToken, ValueTask>? onStep, IndexerStep step, CancellationToken cancellationToken) =>
        onStep is null ? ValueTask.CompletedTask : onStep(step, cancellationToken);

    /// <summary>Applies transfers in the open transaction; returns the first refusal ("id: result") or null.</summary>
    private async Task<string?> ApplyTransfersAsync(SqliteConnection connection, SqliteTransaction tx, IReadOnlyList<Transfer> transfers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (transfers.Count == 0)
        {
            return null;
        }

        var snapshot = new LedgerSnapshot();
        await LoadTransfersAsync(connection, tx, LedgerSnapshot.TransferIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        await LoadResolutionsAsync(connection, tx, LedgerSnapshot.PendingIdsToLoad(transfers), snapshot, cancellationToken).ConfigureAwait(false);
        await LoadAccountsAsync(connection, tx, snapshot.AccountIdsToLock(transfers), snapshot, cancellationToken).ConfigureAwait(false);
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

    private static async Task InsertEventsAsync(SqliteConnection connection, SqliteTransaction tx, ChainBlockBatch batch, CancellationToken cancellationToken)
    {
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO indexer_events ({EventColumns}, stream) VALUES ($c, $k, $t, $l, $bn, $bh, $kind, $ignored, $channel, $cumulative, $ids, $s)";
            insert.Parameters.AddWithValue("$s", batch.Stream);
            var p = new[] { "$c", "$k", "$t", "$l", "$bn", "$bh", "$kind", "$ignored", "$channel", "$cumulative", "$ids" }
                .Select(n => insert.Parameters.Add(n, SqliteType.Blob)).ToArray();
            foreach (var e in batch.Events)
            {
                var values = EventValues(e);
                for (var i = 0; i < p.Length; i++)
                {
                    p[i].SqliteType = values[i] switch { long => SqliteType.Integer, string => SqliteType.Text, _ => SqliteType.Blob };
                    p[i].Value = values[i];
                }

                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO indexer_channels (stream, channel_id, payer, payee, token, opened_block) VALUES ($s, $id, $payer, $payee, $token, $block)";
            insert.Parameters.AddWithValue("$s", batch.Stream);
            var (id, payer, payee, token, block) = (insert.Parameters.Add("$id", SqliteType.Text), insert.Parameters.Add("$payer", SqliteType.Text),
                insert.Parameters.Add("$payee", SqliteType.Text), insert.Parameters.Add("$token", SqliteType.Text), insert.Parameters.Add("$block", SqliteType.Integer));
            foreach (var c in batch.Channels)
            {
                (id.Value, payer.Value, payee.Value, token.Value, block.Value) = (c.ChannelId, c.Payer, c.Payee, c.Token, checked((long)c.OpenedBlock));
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO indexer_blocks (stream, number, hash) VALUES ($s, $n, $h)";
            insert.Parameters.AddWithValue("$s", batch.Stream);
            var (n, h) = (insert.Parameters.Add("$n", SqliteType.Integer), insert.Parameters.Add("$h", SqliteType.Text));
            foreach (var b in batch.Blocks)
            {
                (n.Value, h.Value) = ((long)b.Number, b.Hash);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The column values of an event row, in <see cref="EventColumns"/> order.</summary>
    private static object[] EventValues(BookedEvent e) =>
    [
        checked((long)e.Key.ChainId), e.Key.Contract, e.Key.TransactionHash, checked((long)e.Key.LogIndex), checked((long)e.BlockNumber), e.BlockHash,
        (long)e.Kind, e.Ignored is { } ignored ? (long)ignored : DBNull.Value, (object?)e.ChannelId ?? DBNull.Value,
        e.PayeeCumulative is { } cumulative ? LedgerCodec.Encode(cumulative) : DBNull.Value, ChainIndexRules.EncodeIds(e.TransferIds),
    ];

    private static BookedEvent DecodeEvent(object?[] c) => new(
        new ChainEventKey((ulong)(long)c[0]!, (string)c[1]!, (string)c[2]!, (ulong)(long)c[3]!),
        (ulong)(long)c[4]!,
        (string)c[5]!,
        (ChainEventKind)(long)c[6]!,
        ChainIndexRules.DecodeIds((byte[])c[10]!),
        c[7] is long ignored ? (EventIgnoredReason)ignored : null,
        c[8] as string,
        c[9] is byte[] ? LedgerCodec.Decode(c[9], "payee cumulative") : null);

    private static async Task<List<BookedEvent>> ReadEventsAsync(
        SqliteConnection connection, SqliteTransaction? tx, string stream, long aboveBlock, bool ascending, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.Transaction = tx;
        var order = ascending ? "ASC" : "DESC";
        select.CommandText = $"SELECT {EventColumns} FROM indexer_events WHERE stream = $s AND block_number > $n ORDER BY block_number {order}, (log_index & 4294967295) {order}, log_index {order}";
        select.Parameters.AddWithValue("$s", stream);
        select.Parameters.AddWithValue("$n", aboveBlock);
        return await ReadEventRowsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<BookedEvent>> ReadEventRowsAsync(SqliteCommand select, CancellationToken cancellationToken)
    {
        var events = new List<BookedEvent>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new object?[11];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            reader.GetValues(columns!);
            events.Add(DecodeEvent(columns.Select(v => v is DBNull ? null : v).ToArray()));
        }

        return events;
    }

    private static async Task<IndexerCheckpoint?> ReadCheckpointAsync(SqliteConnection connection, SqliteTransaction? tx, string stream, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand();
        select.Transaction = tx;
        select.CommandText = "SELECT chain_id, block_number, block_hash, epoch, events_booked, reorgs FROM indexer_checkpoints WHERE stream = $s";
        select.Parameters.AddWithValue("$s", stream);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var block = reader.IsDBNull(1) ? null : new BlockRef((ulong)reader.GetInt64(1), reader.GetString(2));
        return new IndexerCheckpoint(stream, (ulong)reader.GetInt64(0), block, reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    private static async Task WriteCheckpointAsync(SqliteConnection connection, SqliteTransaction tx, IndexerCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var upsert = connection.CreateCommand();
        upsert.Transaction = tx;
        upsert.CommandText = """
            INSERT INTO indexer_checkpoints (stream, chain_id, block_number, block_hash, epoch, events_booked, reorgs, updated_at)
            VALUES ($s, $c, $n, $h, $epoch, $events, $reorgs, $at)
            ON CONFLICT (stream) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, epoch = excluded.epoch,
                events_booked = excluded.events_booked, reorgs = excluded.reorgs, updated_at = excluded.updated_at
            """;
        upsert.Parameters.AddWithValue("$s", checkpoint.Stream);
        upsert.Parameters.AddWithValue("$c", checked((long)checkpoint.ChainId));
        upsert.Parameters.AddWithValue("$n", checkpoint.Block is { } b ? checked((long)b.Number) : DBNull.Value);
        upsert.Parameters.AddWithValue("$h", (object?)checkpoint.Block?.Hash ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$epoch", checkpoint.Epoch);
        upsert.Parameters.AddWithValue("$events", checkpoint.EventsBooked);
        upsert.Parameters.AddWithValue("$reorgs", checkpoint.Reorgs);
        upsert.Parameters.AddWithValue("$at", now.UtcTicks);
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
