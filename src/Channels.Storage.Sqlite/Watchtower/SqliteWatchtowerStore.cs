using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Storage.Sqlite.Watchtower;

/// <summary>
/// The watchtower's <see cref="IWatchtowerStore"/> in one SQLite file (one watchtower instance, one deployment). WAL
/// with <c>synchronous=FULL</c>: a write is on disk before a method returns, so a transaction stored by
/// <see cref="SaveDisputeAsync"/> before the node sees it survives a crash. Created owner-only (0600): it holds
/// redeemable voucher signatures (which can only pay the channel's payee) and signed transactions. Alerts are
/// append-only (triggers).
/// </summary>
public sealed partial class SqliteWatchtowerStore : IWatchtowerStore
{
    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 1;

    // Index i upgrades the schema from version i to i + 1. Never edit a released step; append a new one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS wt_delegations (
            channel_id BLOB PRIMARY KEY CHECK (length(channel_id) = 32),
            payer BLOB NOT NULL CHECK (length(payer) = 20),
            payee BLOB NOT NULL CHECK (length(payee) = 20),
            token BLOB NOT NULL CHECK (length(token) = 20),
            challenge_period INTEGER NOT NULL,
            nonce INTEGER NOT NULL,
            cumulative BLOB NOT NULL CHECK (length(cumulative) = 32),
            signature BLOB NOT NULL CHECK (length(signature) = 65),
            received_at TEXT NOT NULL,
            close_deadline INTEGER,
            finished INTEGER NOT NULL CHECK (finished IN (0, 1))
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS wt_checkpoint (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            number INTEGER NOT NULL,
            hash BLOB NOT NULL CHECK (length(hash) = 32)
        );
        CREATE TABLE IF NOT EXISTS wt_recent_blocks (
            number INTEGER PRIMARY KEY,
            hash BLOB NOT NULL CHECK (length(hash) = 32)
        );
        CREATE TABLE IF NOT EXISTS wt_disputes (
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            kind INTEGER NOT NULL,
            amount BLOB NOT NULL CHECK (length(amount) = 32),
            tx_hash BLOB NOT NULL CHECK (length(tx_hash) = 32),
            raw_tx BLOB NOT NULL,
            attempts INTEGER NOT NULL CHECK (attempts >= 1),
            submitted_at TEXT NOT NULL,
            PRIMARY KEY (channel_id, kind)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS wt_alerts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            kind INTEGER NOT NULL,
            amount BLOB NOT NULL CHECK (length(amount) = 32),
            deadline INTEGER NOT NULL,
            detail TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            UNIQUE (channel_id, kind, amount)
        );
        CREATE TRIGGER IF NOT EXISTS wt_alerts_no_update BEFORE UPDATE ON wt_alerts
            BEGIN SELECT RAISE(ABORT, 'wt_alerts is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS wt_alerts_no_delete BEFORE DELETE ON wt_alerts
            BEGIN SELECT RAISE(ABORT, 'wt_alerts is append-only'); END;
        """,
    ];

    private const string DelegationColumns =
        "channel_id, payer, payee, token, challenge_period, nonce, cumulative, signature, received_at, close_deadline, finished";

    private readonly string _path;
    private readonly SqliteStoreFile _file;
    private readonly ILogger _logger;

    /// <summary>A store on the file <paramref name="path"/>. Touches nothing until first used.</summary>
    /// <exception cref="ArgumentException">No path.</exception>
    public SqliteWatchtowerStore(string path, TimeSpan? busyTimeout = null, ILogger<SqliteWatchtowerStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _file = new SqliteStoreFile(_path, busyTimeout ?? TimeSpan.FromSeconds(10), foreignKeys: true, MigrateFileAsync);
    }

    /// <summary>The database file.</summary>
    public string Path => _path;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The file's schema is newer than this build, or WAL could not be enabled.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _file.MigrateAsync(cancellationToken);

    // ------------------------------------------------------------------ delegations

    /// <inheritdoc />
    public async Task<DelegationWrite> SaveDelegationAsync(Delegation delegation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delegation);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE: the write lock is taken before the read, so the comparison holds until the commit.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        BigInteger? held = null;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT cumulative FROM wt_delegations WHERE channel_id = $channel";
            read.Parameters.AddWithValue("$channel", delegation.ChannelId.Bytes.ToArray());
            if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } value)
            {
                held = StorageCodec.TryDecodeAmount(value, out var amount) ? amount : throw Corrupt(delegation.ChannelId, "the cumulative amount is not a 32-byte word");
            }
        }

        if (held is { } h && h == delegation.Amount)
        {
            return DelegationWrite.Unchanged;
        }

        if (held is { } higher && higher > delegation.Amount)
        {
            return DelegationWrite.NotNewer;
        }

        await using (var write = connection.CreateCommand())
        {
            write.Transaction = tx;
            write.CommandText = $"""
                INSERT INTO wt_delegations ({DelegationColumns})
                VALUES ($channel, $payer, $payee, $token, $period, $nonce, $cumulative, $signature, $received, $deadline, 0)
                ON CONFLICT (channel_id) DO UPDATE SET
                    cumulative = excluded.cumulative, signature = excluded.signature, received_at = excluded.received_at,
                    close_deadline = coalesce(wt_delegations.close_deadline, excluded.close_deadline)
                """;
            var channel = delegation.Channel;
            write.Parameters.AddWithValue("$channel", delegation.ChannelId.Bytes.ToArray());
            write.Parameters.AddWithValue("$payer", channel.Payer.Bytes.ToArray());
            write.Parameters.AddWithValue("$payee", channel.Payee.Bytes.ToArray());
            write.Parameters.AddWithValue("$token", channel.Token.Bytes.ToArray());
            write.Parameters.AddWithValue("$period", (long)channel.ChallengePeriodSeconds);
            write.Parameters.AddWithValue("$nonce", StorageCodec.EncodeUInt64(channel.Nonce));
            write.Parameters.AddWithValue("$cumulative", StorageCodec.EncodeAmount(delegation.Amount, nameof(delegation)));
            write.Parameters.AddWithValue("$signature", delegation.Voucher.Signature.ToRsv());
            write.Parameters.AddWithValue("$received", FormatTime(delegation.ReceivedAt));
            write.Parameters.AddWithValue("$deadline", delegation.CloseDeadline is { } d ? StorageCodec.EncodeUInt64(d) : DBNull.Value);
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return DelegationWrite.Stored;
    }

    /// <inheritdoc />
    public async Task<Delegation?> GetDelegationAsync(ChannelId channelId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DelegationColumns} FROM wt_delegations WHERE channel_id = $channel";
        command.Parameters.AddWithValue("$channel", channelId.Bytes.ToArray());
        var list = await ReadDelegationsAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Delegation>> ListActiveDelegationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DelegationColumns} FROM wt_delegations WHERE finished = 0 ORDER BY channel_id";
        return await ReadDelegationsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task SetCloseDeadlineAsync(ChannelId channelId, ulong? deadline, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "UPDATE wt_delegations SET close_deadline = $deadline WHERE channel_id = $channel",
            c =>
            {
                c.Parameters.AddWithValue("$channel", channelId.Bytes.ToArray());
                c.Parameters.AddWithValue("$deadline", deadline is { } d ? StorageCodec.EncodeUInt64(d) : DBNull.Value);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task SetFinishedAsync(ChannelId channelId, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "UPDATE wt_delegations SET finished = 1 WHERE channel_id = $channel",
            c => c.Parameters.AddWithValue("$channel", channelId.Bytes.ToArray()),
            cancellationToken);

    // ------------------------------------------------------------------ checkpoint

    /// <inheritdoc />
    public async Task<WatchtowerCheckpoint?> GetCheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        // Both are written together (AdvanceCheckpointAsync, RewindAsync: one transaction each) by the one follower.
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT number, hash FROM wt_checkpoint WHERE id = 1; SELECT number, hash FROM wt_recent_blocks ORDER BY number DESC";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var head = new BlockMark(StorageCodec.DecodeUInt64(reader.GetInt64(0)), (byte[])reader.GetValue(1));
        var recent = new List<BlockMark>();
        if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recent.Add(new BlockMark(StorageCodec.DecodeUInt64(reader.GetInt64(0)), (byte[])reader.GetValue(1)));
            }
        }

        return new WatchtowerCheckpoint(head, recent);
    }

    /// <inheritdoc />
    public async Task AdvanceCheckpointAsync(BlockMark head, int keep, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO wt_checkpoint (id, number, hash) VALUES (1, $number, $hash)
                    ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash;
                INSERT OR REPLACE INTO wt_recent_blocks (number, hash) VALUES ($number, $hash);
                DELETE FROM wt_recent_blocks WHERE number > $number
                    OR number NOT IN (SELECT number FROM wt_recent_blocks ORDER BY number DESC LIMIT $keep);
                """;
            command.Parameters.AddWithValue("$number", StorageCodec.EncodeUInt64(head.Number));
            command.Parameters.AddWithValue("$hash", head.Hash.ToArray());
            command.Parameters.AddWithValue("$keep", (long)keep);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RewindAsync(BlockMark? forkPoint, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            if (forkPoint is null)
            {
                command.CommandText = "DELETE FROM wt_checkpoint; DELETE FROM wt_recent_blocks;";
            }
            else
            {
                command.CommandText = """
                    DELETE FROM wt_recent_blocks WHERE number > $number;
                    INSERT INTO wt_checkpoint (id, number, hash) VALUES (1, $number, $hash)
                        ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash;
                    """;
                command.Parameters.AddWithValue("$number", StorageCodec.EncodeUInt64(forkPoint.Number));
                command.Parameters.AddWithValue("$hash", forkPoint.Hash.ToArray());
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ disputes and alerts

    /// <inheritdoc />
    public Task SaveDisputeAsync(DisputeRecord dispute, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dispute);
        return ExecuteAsync(
            """
            INSERT INTO wt_disputes (channel_id, kind, amount, tx_hash, raw_tx, attempts, submitted_at)
            VALUES ($channel, $kind, $amount, $hash, $raw, $attempts, $at)
            ON CONFLICT (channel_id, kind) DO UPDATE SET amount = excluded.amount, tx_hash = excluded.tx_hash, raw_tx = excluded.raw_tx,
                attempts = excluded.attempts, submitted_at = excluded.submitted_at
            """,
            c =>
            {
                c.Parameters.AddWithValue("$channel", dispute.ChannelId.Bytes.ToArray());
                c.Parameters.AddWithValue("$kind", (long)dispute.Kind);
                c.Parameters.AddWithValue("$amount", StorageCodec.EncodeAmount(dispute.Amount, nameof(dispute)));
                c.Parameters.AddWithValue("$hash", dispute.TransactionHash.ToArray());
                c.Parameters.AddWithValue("$raw", dispute.RawTransaction.ToArray());
                c.Parameters.AddWithValue("$attempts", (long)dispute.Attempts);
                c.Parameters.AddWithValue("$at", FormatTime(dispute.SubmittedAt));
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<DisputeRecord?> GetDisputeAsync(ChannelId channelId, DisputeKind kind, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT amount, tx_hash, raw_tx, attempts, submitted_at FROM wt_disputes WHERE channel_id = $channel AND kind = $kind";
        command.Parameters.AddWithValue("$channel", channelId.Bytes.ToArray());
        command.Parameters.AddWithValue("$kind", (long)kind);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new DisputeRecord(
            channelId,
            kind,
            Amount(reader.GetValue(0), channelId),
            (byte[])reader.GetValue(1),
            (byte[])reader.GetValue(2),
            reader.GetInt32(3),
            ParseTime(reader.GetValue(4)) ?? throw Corrupt(channelId, "a dispute time is not ISO 8601"));
    }

    /// <inheritdoc />
    public async Task<bool> AddAlertAsync(WatchtowerAlert alert, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO wt_alerts (channel_id, kind, amount, deadline, detail, raised_at) VALUES ($channel, $kind, $amount, $deadline, $detail, $at)
            ON CONFLICT (channel_id, kind, amount) DO NOTHING
            """;
        command.Parameters.AddWithValue("$channel", alert.ChannelId.Bytes.ToArray());
        command.Parameters.AddWithValue("$kind", (long)alert.Kind);
        command.Parameters.AddWithValue("$amount", StorageCodec.EncodeAmount(alert.Amount, nameof(alert)));
        command.Parameters.AddWithValue("$deadline", StorageCodec.EncodeUInt64(alert.Deadline));
        command.Parameters.AddWithValue("$detail", alert.Detail);
        command.Parameters.AddWithValue("$at", FormatTime(alert.RaisedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<WatchtowerAlert>> ListAlertsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT channel_id, kind, amount, deadline, detail, raised_at FROM wt_alerts ORDER BY seq";
        var list = new List<WatchtowerAlert>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var channel = ChannelId.FromBytes((byte[])reader.GetValue(0));
            list.Add(new WatchtowerAlert(
                channel,
                (WatchtowerAlertKind)reader.GetInt64(1),
                Amount(reader.GetValue(2), channel),
                StorageCodec.DecodeUInt64(reader.GetInt64(3)),
                reader.GetString(4),
                ParseTime(reader.GetValue(5)) ?? throw Corrupt(channel, "an alert time is not ISO 8601")));
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => $"SQLite watchtower store at {_path}";

    // ------------------------------------------------------------------ plumbing

    private async Task ExecuteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<Delegation>> ReadDelegationsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<Delegation>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = ChannelId.FromBytes((byte[])reader.GetValue(0));
            var channel = new ChannelParameters(
                Address.FromBytes((byte[])reader.GetValue(1)),
                Address.FromBytes((byte[])reader.GetValue(2)),
                Address.FromBytes((byte[])reader.GetValue(3)),
                checked((uint)reader.GetInt64(4)),
                StorageCodec.DecodeUInt64(reader.GetInt64(5)));
            if (channel.Id != id)
            {
                throw Corrupt(id, "the channel parameters do not hash to the channel id");
            }

            if (!EcdsaSignature.TryParseRsv((byte[])reader.GetValue(7), out var signature))
            {
                throw Corrupt(id, "the voucher signature is malformed");
            }

            list.Add(new Delegation(
                channel,
                new SignedVoucher(new Voucher(id, Amount(reader.GetValue(6), id)), signature),
                ParseTime(reader.GetValue(8)) ?? throw Corrupt(id, "the received time is not ISO 8601"),
                reader.IsDBNull(9) ? null : StorageCodec.DecodeUInt64(reader.GetInt64(9)),
                reader.GetInt64(10) == 1));
        }

        return list;
    }

    private static BigInteger Amount(object value, ChannelId channel) =>
        StorageCodec.TryDecodeAmount(value, out var amount) ? amount : throw Corrupt(channel, "an amount is not a 32-byte word");

    private static InvalidDataException Corrupt(ChannelId channel, string what) => new($"The watchtower store is corrupt for channel {channel}: {what}.");

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(object? value) =>
        value is string text && DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private Task<SqliteConnection> OpenMigratedAsync(CancellationToken cancellationToken) => _file.OpenMigratedAsync(cancellationToken);

    private async Task MigrateFileAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var version = await SqliteSchema.MigrateAsync(connection, "watchtower store", _path, Migrations, ": upgrade the watchtower.", cancellationToken).ConfigureAwait(false);
        if (version < SchemaVersion)
        {
            LogMigrated(_logger, _path, version, SchemaVersion);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Watchtower store {Path}: schema migrated from version {From} to {To}")]
    private static partial void LogMigrated(ILogger logger, string path, long from, int to);
}
