using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>
/// The payee's <see cref="IVoucherStore"/> in one SQLite file, for a single payee instance. WAL journal with
/// <c>synchronous=FULL</c>: a commit is on disk before a method returns, so the payee acknowledges a voucher only once
/// it would survive a power cut. Each <see cref="SaveNewestAsync"/> batch is one <c>BEGIN IMMEDIATE</c> transaction
/// (one fsync for the whole batch: the group commit). The file holds redeemable signatures, so it is created owner-only
/// (0600) and narrowed to 0600 when an older, wider file is opened. Encoding: see <see cref="StorageCodec"/>.
/// </summary>
public sealed partial class SqliteVoucherStore : IVoucherStore
{
    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 4;

    // Index i upgrades the schema from version i to i + 1. Never edit a released step; append a new one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS payee_vouchers (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            signer BLOB NOT NULL CHECK (length(signer) = 20),
            cumulative BLOB NOT NULL CHECK (length(cumulative) = 32),
            signature BLOB NOT NULL CHECK (length(signature) = 65),
            received_at TEXT NOT NULL,
            PRIMARY KEY (chain_id, contract, channel_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS payee_channels (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            payer BLOB NOT NULL,
            payee BLOB NOT NULL,
            token BLOB NOT NULL,
            challenge_period INTEGER NOT NULL,
            nonce INTEGER NOT NULL,
            payer_deposit BLOB NOT NULL,
            redeemed_by_payee BLOB NOT NULL,
            payee_deposit BLOB NOT NULL,
            redeemed_by_payer BLOB NOT NULL,
            close_deadline INTEGER NOT NULL,
            settled INTEGER NOT NULL,
            block_number INTEGER NOT NULL CHECK (block_number >= 0),
            PRIMARY KEY (chain_id, contract, channel_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS payee_velocity_flags (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL,
            channel_id BLOB NOT NULL,
            payer BLOB NOT NULL,
            rule INTEGER NOT NULL,
            observed BLOB NOT NULL,
            threshold BLOB NOT NULL,
            refused INTEGER NOT NULL,
            raised_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_payee_velocity_flags_raised_at ON payee_velocity_flags (raised_at, seq);
        CREATE TRIGGER IF NOT EXISTS payee_velocity_flags_no_update BEFORE UPDATE ON payee_velocity_flags
            BEGIN SELECT RAISE(ABORT, 'payee_velocity_flags is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS payee_velocity_flags_no_delete BEFORE DELETE ON payee_velocity_flags
            BEGIN SELECT RAISE(ABORT, 'payee_velocity_flags is append-only'); END;
        """,
        """
        CREATE TABLE IF NOT EXISTS payee_close_agreements (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            payer_to_payee BLOB NOT NULL CHECK (length(payer_to_payee) = 32),
            payee_to_payer BLOB NOT NULL CHECK (length(payee_to_payer) = 32),
            deadline INTEGER NOT NULL CHECK (deadline > 0),
            signature BLOB NOT NULL CHECK (length(signature) = 65),
            PRIMARY KEY (chain_id, contract, channel_id)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE IF NOT EXISTS payee_close_requests (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            requested_at TEXT NOT NULL,
            PRIMARY KEY (chain_id, contract, channel_id)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE IF NOT EXISTS payee_refunds (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
            previous BLOB NOT NULL CHECK (length(previous) = 32),
            cumulative BLOB NOT NULL CHECK (length(cumulative) = 32 AND cumulative > previous),
            signature BLOB NOT NULL CHECK (length(signature) = 65),
            issued_at TEXT NOT NULL,
            PRIMARY KEY (chain_id, contract, channel_id, idempotency_key),
            UNIQUE (chain_id, contract, channel_id, previous)
        ) WITHOUT ROWID;
        """,
    ];

    private const string KeyWhere = "chain_id = $chain AND contract = $contract AND channel_id = $channel";
    private const string VoucherColumns = "chain_id, contract, channel_id, signer, cumulative, signature, received_at";
    private const string ChannelColumns = "chain_id, contract, channel_id, payer, payee, token, challenge_period, nonce, payer_deposit, "
        + "redeemed_by_payee, payee_deposit, redeemed_by_payer, close_deadline, settled, block_number";
    private const string AgreementColumns = "chain_id, contract, channel_id, payer_to_payee, payee_to_payer, deadline, signature";
    private const string RefundColumns = "chain_id, contract, channel_id, idempotency_key, previous, cumulative, signature, issued_at";

    // The chain's tip: the refund no other refund of its channel extends.
    private const string NewestRefundWhere =
        "NOT EXISTS (SELECT 1 FROM payee_refunds n WHERE n.chain_id = r.chain_id AND n.contract = r.contract AND n.channel_id = r.channel_id AND n.previous = r.cumulative)";
    private const string FlagColumns = "chain_id, contract, channel_id, payer, rule, observed, threshold, refused, raised_at";

    private readonly string _path;
    private readonly SqliteStoreFile _file;
    private readonly ILogger _logger;

    /// <summary>A store on <see cref="SqliteVoucherStoreOptions.Path"/>. Touches nothing until first used.</summary>
    /// <exception cref="ArgumentException">No path.</exception>
    public SqliteVoucherStore(SqliteVoucherStoreOptions options, ILogger<SqliteVoucherStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, nameof(options) + ".Path");
        _path = options.Path;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _file = new SqliteStoreFile(_path, options.BusyTimeout, foreignKeys: true, MigrateFileAsync);
    }

    /// <summary>The database file.</summary>
    public string Path => _path;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The file's schema is newer than this build, or WAL could not be enabled.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _file.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<VoucherWriteResult>> SaveNewestAsync(IReadOnlyList<StoredVoucher> vouchers, CancellationToken cancellationToken = default)
    {
        var batch = VoucherBatch.Create(vouchers);
        cancellationToken.ThrowIfCancellationRequested();
        if (vouchers.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is taken before the reads, so the amounts
        // read below cannot change before the writes; the whole batch is one commit and one fsync.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var stored = new Dictionary<ChannelKey, BigInteger>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = $"SELECT cumulative FROM payee_vouchers WHERE {KeyWhere}";
            var key = AddKeyParameters(read);
            foreach (var channel in batch.Keys)
            {
                key(channel);
                var value = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                if (value is null)
                {
                    continue;
                }

                stored[channel] = StorageCodec.TryDecodeAmount(value, out var amount)
                    ? amount
                    : throw StorageCodec.Corrupt(StoredRows.VoucherTable, channel, "the cumulative amount is not a 32-byte word.");
            }
        }

        var (results, winners) = batch.Apply(stored);
        await using (var update = connection.CreateCommand())
        await using (var insert = connection.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = $"""
                UPDATE payee_vouchers SET signer = $signer, cumulative = $cumulative, signature = $signature, received_at = $received
                WHERE {KeyWhere} AND cumulative < $cumulative
                """;
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO payee_vouchers ({VoucherColumns}) VALUES ($chain, $contract, $channel, $signer, $cumulative, $signature, $received)";
            var updateValues = AddVoucherParameters(update);
            var insertValues = AddVoucherParameters(insert);
            foreach (var channel in batch.Keys)
            {
                if (!winners.TryGetValue(channel, out var winner))
                {
                    continue;
                }

                var command = stored.ContainsKey(channel) ? update : insert;
                (stored.ContainsKey(channel) ? updateValues : insertValues)(winner);
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    // Cannot happen under the write lock; refuse to report a write that did not take place.
                    throw new InvalidOperationException($"The voucher row of channel {channel} changed inside the batch's transaction.");
                }
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <inheritdoc />
    public async Task<StoredVoucher?> GetNewestAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {VoucherColumns} FROM payee_vouchers WHERE {KeyWhere}";
        AddKeyParameters(command)(key);
        var list = await ReadVouchersAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredVoucher>> ListNewestAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {VoucherColumns} FROM payee_vouchers ORDER BY chain_id, contract, channel_id";
        return await ReadVouchersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveChannelAsync(StoredChannel channel, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(channel, nameof(channel));
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Monotone by block: an older view (a slower watcher, a re-read after a reorg-safe delay) never overwrites a newer one.
        command.CommandText = $"""
            INSERT INTO payee_channels ({ChannelColumns})
            VALUES ($chain, $contract, $channel, $payer, $payee, $token, $period, $nonce, $payerDeposit, $redeemedByPayee, $payeeDeposit,
                $redeemedByPayer, $deadline, $settled, $block)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET
                payer = excluded.payer, payee = excluded.payee, token = excluded.token, challenge_period = excluded.challenge_period,
                nonce = excluded.nonce, payer_deposit = excluded.payer_deposit, redeemed_by_payee = excluded.redeemed_by_payee,
                payee_deposit = excluded.payee_deposit, redeemed_by_payer = excluded.redeemed_by_payer,
                close_deadline = excluded.close_deadline, settled = excluded.settled, block_number = excluded.block_number
            WHERE payee_channels.block_number <= excluded.block_number
            """;
        var view = channel.View;
        AddKeyParameters(command)(view.Key);
        command.Parameters.AddWithValue("$payer", view.Parameters.Payer.Bytes.ToArray());
        command.Parameters.AddWithValue("$payee", view.Parameters.Payee.Bytes.ToArray());
        command.Parameters.AddWithValue("$token", view.Parameters.Token.Bytes.ToArray());
        command.Parameters.AddWithValue("$period", (long)view.Parameters.ChallengePeriodSeconds);
        command.Parameters.AddWithValue("$nonce", StorageCodec.EncodeUInt64(view.Parameters.Nonce));
        command.Parameters.AddWithValue("$payerDeposit", StorageCodec.EncodeAmount(view.PayerDeposit, nameof(channel)));
        command.Parameters.AddWithValue("$redeemedByPayee", StorageCodec.EncodeAmount(view.RedeemedByPayee, nameof(channel)));
        command.Parameters.AddWithValue("$payeeDeposit", StorageCodec.EncodeAmount(view.PayeeDeposit, nameof(channel)));
        command.Parameters.AddWithValue("$redeemedByPayer", StorageCodec.EncodeAmount(view.RedeemedByPayer, nameof(channel)));
        command.Parameters.AddWithValue("$deadline", StorageCodec.EncodeUInt64(view.CloseDeadline));
        command.Parameters.AddWithValue("$settled", view.Settled ? 1L : 0L);
        command.Parameters.AddWithValue("$block", (long)channel.BlockNumber);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ChannelColumns} FROM payee_channels WHERE {KeyWhere}";
        AddKeyParameters(command)(key);
        var list = await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredChannel>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ChannelColumns} FROM payee_channels ORDER BY chain_id, contract, channel_id";
        return await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveCloseAgreementAsync(CloseAgreement agreement, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(agreement, nameof(agreement));
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO payee_close_agreements ({AgreementColumns})
            VALUES ($chain, $contract, $channel, $payerToPayee, $payeeToPayer, $deadline, $signature)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET
                payer_to_payee = excluded.payer_to_payee, payee_to_payer = excluded.payee_to_payer, deadline = excluded.deadline,
                signature = excluded.signature
            """;
        AddKeyParameters(command)(agreement.Key);
        command.Parameters.AddWithValue("$payerToPayee", StorageCodec.EncodeAmount(agreement.PayerToPayee, nameof(agreement)));
        command.Parameters.AddWithValue("$payeeToPayer", StorageCodec.EncodeAmount(agreement.PayeeToPayer, nameof(agreement)));
        command.Parameters.AddWithValue("$deadline", StorageCodec.EncodeUInt64(agreement.Deadline));
        command.Parameters.AddWithValue("$signature", agreement.Signature.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CloseAgreement>> ListCloseAgreementsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {AgreementColumns} FROM payee_close_agreements ORDER BY chain_id, contract, channel_id";
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
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO payee_close_requests (chain_id, contract, channel_id, requested_at) VALUES ($chain, $contract, $channel, $requested)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET requested_at = excluded.requested_at
            """;
        AddKeyParameters(command)(request.Key);
        command.Parameters.AddWithValue("$requested", FormatTime(request.RequestedAt));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CloseRequest>> ListCloseRequestsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT chain_id, contract, channel_id, requested_at FROM payee_close_requests ORDER BY chain_id, contract, channel_id";
        var list = new List<CloseRequest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Request(reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), ParseTime(reader.GetValue(3))));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task<bool> SaveRefundAsync(Channels.Payee.Refunds.IssuedRefund refund, CancellationToken cancellationToken = default)
    {
        StorageCodec.Validate(refund, nameof(refund));
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Extends the chain only from its tip: the first refund has previous 0 (unique per channel), every later one
        // names an existing refund's cumulative amount (each extended at most once: the unique key).
        command.CommandText = $"""
            INSERT INTO payee_refunds ({RefundColumns})
            SELECT $chain, $contract, $channel, $idempotency, $previous, $cumulative, $signature, $issued
            WHERE $first = 1 OR EXISTS (SELECT 1 FROM payee_refunds WHERE {KeyWhere} AND cumulative = $previous)
            ON CONFLICT DO NOTHING
            """;
        AddKeyParameters(command)(refund.Key);
        command.Parameters.AddWithValue("$idempotency", refund.IdempotencyKey);
        command.Parameters.AddWithValue("$previous", StorageCodec.EncodeAmount(refund.Previous, nameof(refund)));
        command.Parameters.AddWithValue("$cumulative", StorageCodec.EncodeAmount(refund.Cumulative, nameof(refund)));
        command.Parameters.AddWithValue("$signature", refund.Signature.ToArray());
        command.Parameters.AddWithValue("$issued", FormatTime(refund.IssuedAt));
        command.Parameters.AddWithValue("$first", refund.Previous.IsZero ? 1L : 0L);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<Channels.Payee.Refunds.IssuedRefund?> GetRefundAsync(ChannelKey key, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var list = await ReadRefundsAsync($"SELECT {RefundColumns} FROM payee_refunds WHERE {KeyWhere} AND idempotency_key = $idempotency", key, idempotencyKey, cancellationToken)
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
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO payee_velocity_flags ({FlagColumns}) VALUES ($chain, $contract, $channel, $payer, $rule, $observed, $threshold, $refused, $raised)";
        AddKeyParameters(command)(flag.Key);
        command.Parameters.AddWithValue("$payer", flag.Payer.Bytes.ToArray());
        command.Parameters.AddWithValue("$rule", (long)flag.Rule);
        command.Parameters.AddWithValue("$observed", StorageCodec.EncodeAmount(flag.Observed, nameof(flag)));
        command.Parameters.AddWithValue("$threshold", StorageCodec.EncodeAmount(flag.Threshold, nameof(flag)));
        command.Parameters.AddWithValue("$refused", flag.Refused ? 1L : 0L);
        command.Parameters.AddWithValue("$raised", FormatTime(flag.RaisedAt));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<VelocityFlag>> ListFlagsAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Fixed-width UTC ISO 8601 text sorts in time order.
        command.CommandText = $"SELECT {FlagColumns} FROM payee_velocity_flags WHERE raised_at >= $since ORDER BY raised_at, seq";
        command.Parameters.AddWithValue("$since", FormatTime(since));
        var list = new List<VelocityFlag>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Flag(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6),
                DecodeBoolean(reader.GetValue(7)), ParseTime(reader.GetValue(8))));
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => $"SQLite voucher store at {_path}";

    private static async Task<List<StoredVoucher>> ReadVouchersAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<StoredVoucher>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Voucher(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), ParseTime(reader.GetValue(6))));
        }

        return list;
    }

    private async Task<List<Channels.Payee.Refunds.IssuedRefund>> ReadRefundsAsync(string sql, ChannelKey? key, string? idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (key is { } channel)
        {
            AddKeyParameters(command)(channel);
        }

        if (idempotencyKey is not null)
        {
            command.Parameters.AddWithValue("$idempotency", idempotencyKey);
        }

        var list = new List<Channels.Payee.Refunds.IssuedRefund>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Refund(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6),
                ParseTime(reader.GetValue(7))));
        }

        return list;
    }

    private static async Task<List<StoredChannel>> ReadChannelsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<StoredChannel>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(StoredRows.Channel(
                reader.GetValue(0), reader.GetValue(1), reader.GetValue(2), reader.GetValue(3), reader.GetValue(4), reader.GetValue(5), reader.GetValue(6),
                reader.GetValue(7), reader.GetValue(8), reader.GetValue(9), reader.GetValue(10), reader.GetValue(11), reader.GetValue(12),
                DecodeBoolean(reader.GetValue(13)), reader.GetValue(14)));
        }

        return list;
    }

    /// <summary>Adds $chain, $contract, $channel and returns a setter for them.</summary>
    private static Action<ChannelKey> AddKeyParameters(SqliteCommand command)
    {
        var chain = command.Parameters.Add("$chain", SqliteType.Integer);
        var contract = command.Parameters.Add("$contract", SqliteType.Blob);
        var channel = command.Parameters.Add("$channel", SqliteType.Blob);
        return key =>
        {
            chain.Value = StorageCodec.EncodeUInt64(key.ChainId);
            contract.Value = key.Contract.Bytes.ToArray();
            channel.Value = key.ChannelId.Bytes.ToArray();
        };
    }

    /// <summary>Adds the key and voucher parameters and returns a setter for them.</summary>
    private static Action<StoredVoucher> AddVoucherParameters(SqliteCommand command)
    {
        var key = AddKeyParameters(command);
        var signer = command.Parameters.Add("$signer", SqliteType.Blob);
        var cumulative = command.Parameters.Add("$cumulative", SqliteType.Blob);
        var signature = command.Parameters.Add("$signature", SqliteType.Blob);
        var received = command.Parameters.Add("$received", SqliteType.Text);
        return voucher =>
        {
            key(voucher.Key);
            signer.Value = voucher.Signer.Bytes.ToArray();
            cumulative.Value = StorageCodec.EncodeAmount(voucher.Cumulative, nameof(voucher));
            signature.Value = voucher.Signature.ToArray();
            received.Value = FormatTime(voucher.ReceivedAt);
        };
    }

    private static bool? DecodeBoolean(object? value) => value switch
    {
        0L => false,
        1L => true,
        _ => null,
    };

    /// <summary>UTC, fixed width ("O" of a UTC DateTime), so text order is time order; full 100 ns precision.</summary>
    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(object? value) =>
        value is string text && DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private Task<SqliteConnection> OpenMigratedAsync(CancellationToken cancellationToken) => _file.OpenMigratedAsync(cancellationToken);

    private async Task MigrateFileAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var version = await SqliteSchema.MigrateAsync(connection, "voucher store", _path, Migrations, ": upgrade the payee.", cancellationToken).ConfigureAwait(false);
        if (version < SchemaVersion)
        {
            LogMigrated(_logger, _path, version, SchemaVersion);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Voucher store {Path}: schema migrated from version {From} to {To}")]
    private static partial void LogMigrated(ILogger logger, string path, long from, int to);
}
