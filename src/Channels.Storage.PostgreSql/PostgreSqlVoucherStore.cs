using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>
/// The payee's <see cref="IVoucherStore"/> in PostgreSQL, shared by several payee instances. Plain SQL only (no stored
/// procedures, no advisory locks, no extensions) so a PostgreSQL-compatible distributed database can hold it:
/// <c>INSERT … ON CONFLICT DO NOTHING</c>, <c>SELECT … FOR UPDATE</c> and conditional, monotone
/// <c>UPDATE … WHERE cumulative &lt; @new</c>. A batch locks its channels' rows in one fixed key order, so concurrent
/// batches never deadlock each other; serialization failures (which distributed databases report under contention)
/// are retried. Durability relies on the server's <c>synchronous_commit = on</c> (the default): a commit is flushed
/// before it is acknowledged. Encoding: see <see cref="StorageCodec"/>; timestamps are <c>timestamptz</c>
/// (UTC, microsecond precision).
/// </summary>
public sealed partial class PostgreSqlVoucherStore : IVoucherStore
{
    /// <summary>The newest schema version this build applies (rows of <c>payee_schema_migrations</c>).</summary>
    public const int SchemaVersion = 4;

    // Index i creates version i + 1. Each runs in one transaction together with the insert of its version row, so two
    // instances migrating at once apply it exactly once. Never edit a released step; append a new one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS payee_vouchers (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
            channel_id BYTEA NOT NULL CHECK (octet_length(channel_id) = 32),
            signer BYTEA NOT NULL CHECK (octet_length(signer) = 20),
            cumulative BYTEA NOT NULL CHECK (octet_length(cumulative) = 32),
            signature BYTEA NOT NULL CHECK (octet_length(signature) = 65),
            received_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (chain_id, contract, channel_id)
        );
        CREATE TABLE IF NOT EXISTS payee_channels (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
            channel_id BYTEA NOT NULL CHECK (octet_length(channel_id) = 32),
            payer BYTEA NOT NULL,
            payee BYTEA NOT NULL,
            token BYTEA NOT NULL,
            challenge_period BIGINT NOT NULL,
            nonce BIGINT NOT NULL,
            payer_deposit BYTEA NOT NULL,
            redeemed_by_payee BYTEA NOT NULL,
            payee_deposit BYTEA NOT NULL,
            redeemed_by_payer BYTEA NOT NULL,
            close_deadline BIGINT NOT NULL,
            settled BOOLEAN NOT NULL,
            block_number BIGINT NOT NULL CHECK (block_number >= 0),
            PRIMARY KEY (chain_id, contract, channel_id)
        );
        CREATE TABLE IF NOT EXISTS payee_velocity_flags (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL,
            channel_id BYTEA NOT NULL,
            payer BYTEA NOT NULL,
            rule BIGINT NOT NULL,
            observed BYTEA NOT NULL,
            threshold BYTEA NOT NULL,
            refused BOOLEAN NOT NULL,
            raised_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_payee_velocity_flags_raised_at ON payee_velocity_flags (raised_at, seq);
        """,
        """
        CREATE TABLE IF NOT EXISTS payee_close_agreements (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
            channel_id BYTEA NOT NULL CHECK (octet_length(channel_id) = 32),
            payer_to_payee BYTEA NOT NULL CHECK (octet_length(payer_to_payee) = 32),
            payee_to_payer BYTEA NOT NULL CHECK (octet_length(payee_to_payer) = 32),
            deadline BIGINT NOT NULL CHECK (deadline > 0),
            signature BYTEA NOT NULL CHECK (octet_length(signature) = 65),
            PRIMARY KEY (chain_id, contract, channel_id)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS payee_close_requests (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
            channel_id BYTEA NOT NULL CHECK (octet_length(channel_id) = 32),
            requested_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (chain_id, contract, channel_id)
        );
        """,
        """
        CREATE TABLE IF NOT EXISTS payee_refunds (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
            channel_id BYTEA NOT NULL CHECK (octet_length(channel_id) = 32),
            idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
            previous BYTEA NOT NULL CHECK (octet_length(previous) = 32),
            cumulative BYTEA NOT NULL CHECK (octet_length(cumulative) = 32 AND cumulative > previous),
            signature BYTEA NOT NULL CHECK (octet_length(signature) = 65),
            issued_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (chain_id, contract, channel_id, idempotency_key),
            UNIQUE (chain_id, contract, channel_id, previous)
        );
        """,
    ];

    private const string KeyWhere = "chain_id = @chain AND contract = @contract AND channel_id = @channel";
    private const string VoucherColumns = "chain_id, contract, channel_id, signer, cumulative, signature, received_at";
    private const string ChannelColumns = "chain_id, contract, channel_id, payer, payee, token, challenge_period, nonce, payer_deposit, "
        + "redeemed_by_payee, payee_deposit, redeemed_by_payer, close_deadline, settled, block_number";
    private const string AgreementColumns = "chain_id, contract, channel_id, payer_to_payee, payee_to_payer, deadline, signature";
    private const string RefundColumns = "chain_id, contract, channel_id, idempotency_key, previous, cumulative, signature, issued_at";

    // The chain's tip: the refund no other refund of its channel extends.
    private const string NewestRefundWhere =
        "NOT EXISTS (SELECT 1 FROM payee_refunds n WHERE n.chain_id = r.chain_id AND n.contract = r.contract AND n.channel_id = r.channel_id AND n.previous = r.cumulative)";
    private const string FlagColumns = "chain_id, contract, channel_id, payer, rule, observed, threshold, refused, raised_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxRetries;
    private readonly ILogger _logger;
    private readonly MigrationGate _migration = new();

    /// <summary>A store on <paramref name="dataSource"/> (not owned: the caller disposes it). Touches nothing until first used.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="maxRetries">Retries of a batch after a serialization failure or deadlock.</param>
    /// <param name="logger">Migrations and retries.</param>
    public PostgreSqlVoucherStore(NpgsqlDataSource dataSource, int maxRetries = 10, ILogger<PostgreSqlVoucherStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        _dataSource = dataSource;
        _maxRetries = maxRetries;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The database's schema is newer than this build.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _migration.RunAsync(MigrateOnceAsync, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default)
    {
        var batch = VoucherBatch.Create(vouchers);
        cancellationToken.ThrowIfCancellationRequested();
        if (vouchers.Count == 0)
        {
            return [];
        }

        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await PostgreSqlRetry.RunAsync(
            ct => TrySaveAsync(batch, ct), _maxRetries, (sqlState, retry) => LogRetry(_logger, sqlState, retry), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {VoucherColumns} FROM payee_vouchers WHERE {KeyWhere}");
        AddKeyParameters(command.Parameters)(key);
        var list = await ReadVouchersAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {VoucherColumns} FROM payee_vouchers ORDER BY chain_id, contract, channel_id");
        return await ReadVouchersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(channel, nameof(channel));
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);

        // Monotone by block: an older view (a slower instance's watcher) never overwrites a newer one. One statement,
        // so concurrent instances need no lock.
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO payee_channels ({ChannelColumns})
            VALUES (@chain, @contract, @channel, @payer, @payee, @token, @period, @nonce, @payerDeposit, @redeemedByPayee, @payeeDeposit,
                @redeemedByPayer, @deadline, @settled, @block)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET
                payer = excluded.payer, payee = excluded.payee, token = excluded.token, challenge_period = excluded.challenge_period,
                nonce = excluded.nonce, payer_deposit = excluded.payer_deposit, redeemed_by_payee = excluded.redeemed_by_payee,
                payee_deposit = excluded.payee_deposit, redeemed_by_payer = excluded.redeemed_by_payer,
                close_deadline = excluded.close_deadline, settled = excluded.settled, block_number = excluded.block_number
            WHERE payee_channels.block_number <= excluded.block_number
            """);
        var view = channel.View;
        AddKeyParameters(command.Parameters)(view.Key);
        AddBytes(command, "payer", view.Parameters.Payer.Bytes.ToArray());
        AddBytes(command, "payee", view.Parameters.Payee.Bytes.ToArray());
        AddBytes(command, "token", view.Parameters.Token.Bytes.ToArray());
        command.Parameters.Add(new NpgsqlParameter<long>("period", view.Parameters.ChallengePeriodSeconds));
        command.Parameters.Add(new NpgsqlParameter<long>("nonce", StorageCodec.EncodeUInt64(view.Parameters.Nonce)));
        AddBytes(command, "payerDeposit", StorageCodec.EncodeAmount(view.PayerDeposit, nameof(channel)));
        AddBytes(command, "redeemedByPayee", StorageCodec.EncodeAmount(view.RedeemedByPayee, nameof(channel)));
        AddBytes(command, "payeeDeposit", StorageCodec.EncodeAmount(view.PayeeDeposit, nameof(channel)));
        AddBytes(command, "redeemedByPayer", StorageCodec.EncodeAmount(view.RedeemedByPayer, nameof(channel)));
        command.Parameters.Add(new NpgsqlParameter<long>("deadline", StorageCodec.EncodeUInt64(view.CloseDeadline)));
        command.Parameters.Add(new NpgsqlParameter<bool>("settled", view.Settled));
        command.Parameters.Add(new NpgsqlParameter<long>("block", (long)channel.BlockNumber));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {ChannelColumns} FROM payee_channels WHERE {KeyWhere}");
        AddKeyParameters(command.Parameters)(key);
        var list = await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {ChannelColumns} FROM payee_channels ORDER BY chain_id, contract, channel_id");
        return await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(agreement, nameof(agreement));
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO payee_close_agreements ({AgreementColumns})
            VALUES (@chain, @contract, @channel, @payerToPayee, @payeeToPayer, @deadline, @signature)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET
                payer_to_payee = excluded.payer_to_payee, payee_to_payer = excluded.payee_to_payer, deadline = excluded.deadline,
                signature = excluded.signature
            """);
        AddKeyParameters(command.Parameters)(agreement.Key);
        AddBytes(command, "payerToPayee", StorageCodec.EncodeAmount(agreement.PayerToPayee, nameof(agreement)));
        AddBytes(command, "payeeToPayer", StorageCodec.EncodeAmount(agreement.PayeeToPayer, nameof(agreement)));
        command.Parameters.Add(new NpgsqlParameter<long>("deadline", NpgsqlDbType.Bigint) { TypedValue = StorageCodec.EncodeUInt64(agreement.Deadline) });
        AddBytes(command, "signature", agreement.Signature.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {AgreementColumns} FROM payee_close_agreements ORDER BY chain_id, contract, channel_id");
        var list = new List<CloseAgreement>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Agreement(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6)));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task SaveCloseRequestAsync(CloseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO payee_close_requests (chain_id, contract, channel_id, requested_at) VALUES (@chain, @contract, @channel, @requested)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET requested_at = excluded.requested_at
            """);
        AddKeyParameters(command.Parameters)(request.Key);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("requested", NpgsqlDbType.TimestampTz) { TypedValue = request.RequestedAt.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            "SELECT chain_id, contract, channel_id, requested_at FROM payee_close_requests ORDER BY chain_id, contract, channel_id");
        var list = new List<CloseRequest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Request(reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), DecodeTime(reader.GetValue(3))));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<bool> SaveRefundAsync(Channels.Payee.Refunds.IssuedRefund refund, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(refund, nameof(refund));
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);

        // Extends the chain only from its tip: the first refund has previous 0 (unique per channel), every later one
        // names an existing refund's cumulative amount (each extended at most once: a concurrent insert of the same
        // previous waits on the unique key, then does nothing).
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO payee_refunds ({RefundColumns})
            SELECT @chain, @contract, @channel, @idempotency, @previous, @cumulative, @signature, @issued
            WHERE @first OR EXISTS (SELECT 1 FROM payee_refunds WHERE {KeyWhere} AND cumulative = @previous)
            ON CONFLICT DO NOTHING
            """);
        AddKeyParameters(command.Parameters)(refund.Key);
        command.Parameters.Add(new NpgsqlParameter<string>("idempotency", NpgsqlDbType.Text) { TypedValue = refund.IdempotencyKey });
        AddBytes(command, "previous", StorageCodec.EncodeAmount(refund.Previous, nameof(refund)));
        AddBytes(command, "cumulative", StorageCodec.EncodeAmount(refund.Cumulative, nameof(refund)));
        AddBytes(command, "signature", refund.Signature.ToArray());
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("issued", NpgsqlDbType.TimestampTz) { TypedValue = refund.IssuedAt.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<bool>("first", NpgsqlDbType.Boolean) { TypedValue = refund.Previous.IsZero });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<Channels.Payee.Refunds.IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var list = await ReadRefundsAsync($"SELECT {RefundColumns} FROM payee_refunds WHERE {KeyWhere} AND idempotency_key = @idempotency", key, idempotencyKey, cancellationToken)
            .ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<Channels.Payee.Refunds.IssuedRefund?> GetNewestRefundAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        var list = await ReadRefundsAsync($"SELECT {RefundColumns} FROM payee_refunds WHERE {KeyWhere} ORDER BY cumulative DESC LIMIT 1", key, null, cancellationToken)
            .ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Channels.Payee.Refunds.IssuedRefund>> ListNewestRefundsAsync(CancellationToken cancellationToken = default) =>
        await ReadRefundsAsync($"SELECT {RefundColumns} FROM payee_refunds r WHERE {NewestRefundWhere} ORDER BY chain_id, contract, channel_id", null, null, cancellationToken)
            .ConfigureAwait(false);

    /// <inheritdoc />
    public async Task AppendFlagAsync(VelocityFlag flag, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(flag, nameof(flag));
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            $"INSERT INTO payee_velocity_flags ({FlagColumns}) VALUES (@chain, @contract, @channel, @payer, @rule, @observed, @threshold, @refused, @raised)");
        AddKeyParameters(command.Parameters)(flag.Key);
        AddBytes(command, "payer", flag.Payer.Bytes.ToArray());
        command.Parameters.Add(new NpgsqlParameter<long>("rule", (long)flag.Rule));
        AddBytes(command, "observed", StorageCodec.EncodeAmount(flag.Observed, nameof(flag)));
        AddBytes(command, "threshold", StorageCodec.EncodeAmount(flag.Threshold, nameof(flag)));
        command.Parameters.Add(new NpgsqlParameter<bool>("refused", flag.Refused));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("raised", flag.RaisedAt.ToUniversalTime()) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {FlagColumns} FROM payee_velocity_flags WHERE raised_at >= @since ORDER BY raised_at, seq");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since.ToUniversalTime()) { NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var list = new List<VelocityFlag>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Flag(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6),
                reader.GetValue(7) as bool?, DecodeTime(reader.GetValue(8))));
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => "PostgreSQL voucher store";

    private async Task<IReadOnlyList<VoucherWriteResult>> TrySaveAsync(VoucherBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Fast path (every channel of the batch already has its row, as after its first voucher): the row locks and the
        // updates each go out as one pipelined NpgsqlBatch, two round trips per batch instead of two per channel. The
        // statements, their key order and their checks are those of the one-by-one path below.
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await TryLockAllAsync(connection, tx, batch.Keys, cancellationToken).ConfigureAwait(false) is { } locked)
            {
                return await UpdateAndCommitAsync(connection, tx, batch, locked, [], cancellationToken).ConfigureAwait(false);
            }

            // A channel without a row: start again one by one, so rows are locked or inserted in key order.
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var slow = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = new Dictionary<ChannelKey, BigInteger>();
        var inserted = new HashSet<ChannelKey>();
        await using (var lockRow = new NpgsqlCommand($"SELECT cumulative FROM payee_vouchers WHERE {KeyWhere} FOR UPDATE", connection, slow))
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO payee_vouchers ({VoucherColumns}) VALUES (@chain, @contract, @channel, @signer, @cumulative, @signature, @received) "
            + "ON CONFLICT (chain_id, contract, channel_id) DO NOTHING",
            connection,
            slow))
        {
            var lockKey = AddKeyParameters(lockRow.Parameters);
            var insertValues = AddVoucherParameters(insert.Parameters);

            // Fixed key order: two batches over the same channels take their row locks in the same order.
            foreach (var channel in batch.Keys)
            {
                for (var round = 0; ; round++)
                {
                    lockKey(channel);
                    var value = await lockRow.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    if (value is not null)
                    {
                        stored[channel] = DecodeStored(value, channel);
                        break;
                    }

                    // No row: insert what this batch would store over nothing. If another instance inserted the row
                    // meanwhile, the insert waits for its commit and does nothing; the next round then locks that row.
                    insertValues(batch.FirstHighest(channel));
                    if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        inserted.Add(channel);
                        break;
                    }

                    if (round >= 2)
                    {
                        throw new InvalidOperationException($"The voucher row of channel {channel} neither exists nor can be inserted.");
                    }
                }
            }
        }

        return await UpdateAndCommitAsync(connection, slow, batch, stored, inserted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Locks every key's row (<c>SELECT … FOR UPDATE</c>, in key order, one pipelined batch) and returns the stored
    /// amounts; null if some key has no row (the locks taken are then released by the caller's rollback).
    /// </summary>
    private static async Task<Dictionary<ChannelKey, BigInteger>?> TryLockAllAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<ChannelKey> keys, CancellationToken cancellationToken)
    {
        await using var locks = new NpgsqlBatch(connection, tx);
        foreach (var key in keys)
        {
            var command = new NpgsqlBatchCommand($"SELECT cumulative FROM payee_vouchers WHERE {KeyWhere} FOR UPDATE");
            AddKeyParameters(command.Parameters)(key);
            locks.BatchCommands.Add(command);
        }

        var stored = new Dictionary<ChannelKey, BigInteger>(keys.Count);
        var complete = true;
        await using (var reader = await locks.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var i = 0;
            do
            {
                var key = keys[i++];
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    stored[key] = DecodeStored(reader.GetValue(0), key);
                }
                else
                {
                    complete = false;
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }

        return complete ? stored : null;
    }

    /// <summary>Applies the batch over the locked amounts, writes each channel's winner (one pipelined batch) and commits.</summary>
    private static async Task<IReadOnlyList<VoucherWriteResult>> UpdateAndCommitAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction tx,
        VoucherBatch batch,
        Dictionary<ChannelKey, BigInteger> stored,
        HashSet<ChannelKey> inserted,
        CancellationToken cancellationToken)
    {
        var (results, winners) = batch.Apply(stored);
        await using (var updates = new NpgsqlBatch(connection, tx))
        {
            var channels = new List<ChannelKey>();
            foreach (var channel in batch.Keys)
            {
                if (inserted.Contains(channel) || !winners.TryGetValue(channel, out var winner))
                {
                    continue;
                }

                var command = new NpgsqlBatchCommand($"""
                    UPDATE payee_vouchers SET signer = @signer, cumulative = @cumulative, signature = @signature, received_at = @received
                    WHERE {KeyWhere} AND cumulative < @cumulative
                    """);
                AddVoucherParameters(command.Parameters)(winner);
                updates.BatchCommands.Add(command);
                channels.Add(channel);
            }

            if (channels.Count > 0)
            {
                await updates.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < channels.Count; i++)
                {
                    if (updates.BatchCommands[i].RecordsAffected != 1)
                    {
                        // Cannot happen while the row is locked; refuse to report a write that did not take place.
                        throw new InvalidOperationException($"The voucher row of channel {channels[i]} changed while locked.");
                    }
                }
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private static BigInteger DecodeStored(object value, ChannelKey channel) =>
        StorageCodec.TryDecodeAmount(value, out var amount)
            ? amount
            : throw StorageCodec.Corrupt(StoredRows.VoucherTable, channel, "the cumulative amount is not a 32-byte word.");

    // Reads and writes work on a database nobody migrated yet (an empty store), instead of failing on a missing table.
    private Task EnsureMigratedAsync(CancellationToken cancellationToken) => _migration.EnsureAsync(MigrateOnceAsync, cancellationToken);

    private async Task MigrateOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlSchema.MigrateAsync(
            connection, "voucher store", "payee_schema_migrations", Migrations, ": upgrade the payee.", version => LogMigrated(_logger, connection.Database, version), cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<List<StoredVoucher>> ReadVouchersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<StoredVoucher>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Voucher(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), DecodeTime(reader.GetValue(6))));
        }

        return list;
    }

    private async Task<List<Channels.Payee.Refunds.IssuedRefund>> ReadRefundsAsync(string sql, ChannelKey? key, string? idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(sql);
        if (key is { } channel)
        {
            AddKeyParameters(command.Parameters)(channel);
        }

        if (idempotencyKey is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("idempotency", NpgsqlDbType.Text) { TypedValue = idempotencyKey });
        }

        var list = new List<Channels.Payee.Refunds.IssuedRefund>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Refund(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6),
                DecodeTime(reader.GetValue(7))));
        }

        return list;
    }

    private static async Task<List<StoredChannel>> ReadChannelsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<StoredChannel>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Channel(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6),
                reader.GetValue(7), reader.GetValue(8), reader.GetValue(9), reader.GetValue(10), reader.GetValue(11), reader.GetValue(12),
                reader.GetValue(13) as bool?, reader.GetValue(14)));
        }

        return list;
    }

    private static DateTimeOffset? DecodeTime(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        DateTimeOffset time => time.ToUniversalTime(),
        _ => null,
    };

    private static void AddBytes(NpgsqlCommand command, string name, byte[] value) =>
        command.Parameters.Add(new NpgsqlParameter<byte[]>(name, value) { NpgsqlDbType = NpgsqlDbType.Bytea });

    /// <summary>Adds @chain, @contract, @channel and returns a setter for them.</summary>
    private static Action<ChannelKey> AddKeyParameters(NpgsqlParameterCollection parameters)
    {
        var chain = new NpgsqlParameter<long>("chain", NpgsqlDbType.Bigint);
        var contract = new NpgsqlParameter<byte[]>("contract", NpgsqlDbType.Bytea);
        var channel = new NpgsqlParameter<byte[]>("channel", NpgsqlDbType.Bytea);
        parameters.Add(chain);
        parameters.Add(contract);
        parameters.Add(channel);
        return key =>
        {
            chain.TypedValue = StorageCodec.EncodeUInt64(key.ChainId);
            contract.TypedValue = key.Contract.Bytes.ToArray();
            channel.TypedValue = key.ChannelId.Bytes.ToArray();
        };
    }

    /// <summary>Adds the key and voucher parameters and returns a setter for them.</summary>
    private static Action<StoredVoucher> AddVoucherParameters(NpgsqlParameterCollection parameters)
    {
        var key = AddKeyParameters(parameters);
        var signer = new NpgsqlParameter<byte[]>("signer", NpgsqlDbType.Bytea);
        var cumulative = new NpgsqlParameter<byte[]>("cumulative", NpgsqlDbType.Bytea);
        var signature = new NpgsqlParameter<byte[]>("signature", NpgsqlDbType.Bytea);
        var received = new NpgsqlParameter<DateTimeOffset>("received", NpgsqlDbType.TimestampTz);
        parameters.Add(signer);
        parameters.Add(cumulative);
        parameters.Add(signature);
        parameters.Add(received);
        return voucher =>
        {
            key(voucher.Key);
            signer.TypedValue = voucher.Signer.Bytes.ToArray();
            cumulative.TypedValue = StorageCodec.EncodeAmount(voucher.Cumulative, nameof(voucher));
            signature.TypedValue = voucher.Signature.ToArray();
            received.TypedValue = voucher.ReceivedAt.ToUniversalTime();
        };
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Voucher store in database {Database}: schema version {Version} applied")]
    private static partial void LogMigrated(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Voucher batch hit SQLSTATE {SqlState}; retry {Attempt}")]
    private static partial void LogRetry(ILogger logger, string sqlState, int attempt);
}
