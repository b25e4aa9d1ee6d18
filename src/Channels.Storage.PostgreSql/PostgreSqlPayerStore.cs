using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Storage.PostgreSql;

/// <summary>
/// The payer's <see cref="IPayerStore"/> in PostgreSQL: a platform that pays on behalf of many users, or several
/// payer processes sharing one database. Amounts are 32-byte big-endian <c>bytea</c> words (compared byte-wise, which is
/// numeric order), so the conditional <c>UPDATE … WHERE signed &lt; @new</c> only ever raises them. A voucher batch is
/// one transaction committed with <c>synchronous_commit = on</c> (set for the transaction whatever the server's
/// default), so <see cref="SaveVouchersAsync"/> returns only once the server flushed it: a voucher leaves the process
/// only after it would survive a crash of either side. Batches touch their channels in key order, so concurrent
/// batches never deadlock; serialization failures are retried. Receipts are append-only (a trigger refuses updates
/// and deletes). Schema versions are rows of <c>payer_schema_migrations</c>, applied once each however many instances
/// start at the same time.
/// </summary>
public sealed partial class PostgreSqlPayerStore : IPayerStore
{
    /// <summary>The newest schema version this build applies (rows of <c>payer_schema_migrations</c>).</summary>
    public const int SchemaVersion = 1;

    // Index i creates version i + 1. Each runs in one transaction together with the insert of its version row. Never edit
    // a released step; append a new one.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS payer_channels (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
            channel_id BYTEA NOT NULL CHECK (octet_length(channel_id) = 32),
            payer BYTEA NOT NULL CHECK (octet_length(payer) = 20),
            payee BYTEA NOT NULL CHECK (octet_length(payee) = 20),
            token BYTEA NOT NULL CHECK (octet_length(token) = 20),
            challenge_period BIGINT NOT NULL,
            nonce BIGINT NOT NULL,
            deposit BYTEA NOT NULL CHECK (octet_length(deposit) = 32),
            payee_deposit BYTEA NOT NULL CHECK (octet_length(payee_deposit) = 32),
            payee_url TEXT NULL,
            status SMALLINT NOT NULL CHECK (status IN (0, 1, 2)),
            signed BYTEA NOT NULL CHECK (octet_length(signed) = 32),
            signed_signature BYTEA NULL CHECK (signed_signature IS NULL OR octet_length(signed_signature) = 65),
            acknowledged BYTEA NOT NULL CHECK (octet_length(acknowledged) = 32),
            refund BYTEA NOT NULL CHECK (octet_length(refund) = 32),
            refund_signature BYTEA NULL CHECK (refund_signature IS NULL OR octet_length(refund_signature) = 65),
            PRIMARY KEY (chain_id, contract, channel_id)
        );
        CREATE TABLE IF NOT EXISTS payer_receipts (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL,
            channel_id BYTEA NOT NULL,
            cumulative BYTEA NOT NULL CHECK (octet_length(cumulative) = 32),
            issued_at BIGINT NOT NULL,
            signature BYTEA NOT NULL CHECK (octet_length(signature) = 65),
            received_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_payer_receipts_channel ON payer_receipts (chain_id, contract, channel_id, seq);
        CREATE OR REPLACE FUNCTION payer_receipts_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'payer_receipts is append-only'; END $$;
        CREATE TRIGGER payer_receipts_no_change BEFORE UPDATE OR DELETE ON payer_receipts
            FOR EACH ROW EXECUTE FUNCTION payer_receipts_append_only();
        CREATE TABLE IF NOT EXISTS payer_meters (
            chain_id BIGINT NOT NULL,
            contract BYTEA NOT NULL,
            channel_id BYTEA NOT NULL,
            name TEXT NOT NULL,
            units BYTEA NOT NULL CHECK (octet_length(units) = 32),
            ticks BIGINT NOT NULL CHECK (ticks >= 0),
            paid BYTEA NOT NULL CHECK (octet_length(paid) = 32),
            pending BYTEA NOT NULL CHECK (octet_length(pending) = 32),
            pending_above BYTEA NOT NULL CHECK (octet_length(pending_above) = 32),
            PRIMARY KEY (chain_id, contract, channel_id, name),
            FOREIGN KEY (chain_id, contract, channel_id) REFERENCES payer_channels (chain_id, contract, channel_id)
        );
        """,
    ];

    private const string KeyWhere = "chain_id = @chain AND contract = @contract AND channel_id = @channel";
    private const string ChannelColumns = "chain_id, contract, channel_id, payer, payee, token, challenge_period, nonce, deposit, payee_deposit, "
        + "payee_url, status, signed, signed_signature, acknowledged, refund, refund_signature";

    private static readonly byte[] ZeroWord = new byte[StorageCodec.AmountLength];

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxRetries;
    private readonly ILogger _logger;
    private readonly MigrationGate _migration = new();

    /// <summary>A store on <paramref name="dataSource"/> (not owned: the caller disposes it). Touches nothing until first used.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="maxRetries">Retries of a voucher batch after a serialization failure or deadlock.</param>
    /// <param name="logger">Migrations and retries.</param>
    public PostgreSqlPayerStore(NpgsqlDataSource dataSource, int maxRetries = 10, ILogger<PostgreSqlPayerStore>? logger = null)
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
    public async Task SaveChannelAsync(PayerChannelRecord channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var deposit = StorageCodec.EncodeAmount(channel.Deposit, nameof(channel));
        var payeeDeposit = StorageCodec.EncodeAmount(channel.PayeeDeposit, nameof(channel));
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO payer_channels ({ChannelColumns})
            VALUES (@chain, @contract, @channel, @payer, @payee, @token, @period, @nonce, @deposit, @payeeDeposit, @url, @status, @zero, NULL, @zero, @zero, NULL)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET
                deposit = excluded.deposit, payee_deposit = excluded.payee_deposit,
                payee_url = COALESCE(excluded.payee_url, payer_channels.payee_url),
                status = GREATEST(payer_channels.status, excluded.status)
            """);
        AddKeyParameters(command.Parameters)(channel.Key);
        var p = channel.Parameters;
        AddBytes(command, "payer", p.Payer.Bytes.ToArray());
        AddBytes(command, "payee", p.Payee.Bytes.ToArray());
        AddBytes(command, "token", p.Token.Bytes.ToArray());
        command.Parameters.Add(new NpgsqlParameter<long>("period", p.ChallengePeriodSeconds));
        command.Parameters.Add(new NpgsqlParameter<long>("nonce", StorageCodec.EncodeUInt64(p.Nonce)));
        AddBytes(command, "deposit", deposit);
        AddBytes(command, "payeeDeposit", payeeDeposit);
        command.Parameters.Add(new NpgsqlParameter("url", NpgsqlDbType.Text) { Value = (object?)channel.PayeeStreamUrl?.ToString() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<short>("status", (short)channel.Status));
        AddBytes(command, "zero", ZeroWord);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveVouchersAsync(IReadOnlyList<PayerVoucherWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        // Encode first: a bad amount fails the call before anything is sent. Rows are touched in key order (deadlock-free
        // against concurrent batches of other instances).
        var ordered = writes
            .Select(w => (w.Key,
                Signed: w.Signed is { } v ? (StorageCodec.EncodeAmount(v.Voucher.CumulativeAmount, nameof(writes)), v.Signature.ToRsv()) : default((byte[] Amount, byte[] Signature)?),
                Acknowledged: w.Acknowledged is { } a ? StorageCodec.EncodeAmount(a, nameof(writes)) : null))
            .OrderBy(w => w.Key.ChainId).ThenBy(w => Convert.ToHexString(w.Key.Contract.Bytes)).ThenBy(w => Convert.ToHexString(w.Key.ChannelId.Bytes))
            .ToList();
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlRetry.RunAsync(
            async ct =>
            {
                await TrySaveVouchersAsync(ordered, ct).ConfigureAwait(false);
                return true;
            },
            _maxRetries,
            (sqlState, retry) => LogRetry(_logger, sqlState, retry),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> SaveRefundAsync(ChannelKey key, SignedVoucher refund, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var amount = StorageCodec.EncodeAmount(refund.Voucher.CumulativeAmount, nameof(refund));
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            $"UPDATE payer_channels SET refund = @amount, refund_signature = @signature WHERE {KeyWhere} AND refund < @amount");
        AddKeyParameters(command.Parameters)(key);
        AddBytes(command, "amount", amount);
        AddBytes(command, "signature", refund.Signature.ToRsv());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task AppendReceiptAsync(PayerReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var amount = StorageCodec.EncodeAmount(receipt.Cumulative, nameof(receipt));
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO payer_receipts (chain_id, contract, channel_id, cumulative, issued_at, signature, received_at) "
            + "VALUES (@chain, @contract, @channel, @amount, @issued, @signature, @received)");
        AddKeyParameters(command.Parameters)(receipt.Key);
        AddBytes(command, "amount", amount);
        command.Parameters.Add(new NpgsqlParameter<long>("issued", StorageCodec.EncodeUInt64(receipt.IssuedAt)));
        AddBytes(command, "signature", receipt.Signature.ToRsv());
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("received", NpgsqlDbType.TimestampTz) { TypedValue = receipt.ReceivedAt.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SaveMeterAsync(PayerMeterState meter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentException.ThrowIfNullOrEmpty(meter.Name, nameof(meter));
        ArgumentOutOfRangeException.ThrowIfNegative(meter.Ticks, nameof(meter));
        var units = StorageCodec.EncodeAmount(meter.Units, nameof(meter));
        var paid = StorageCodec.EncodeAmount(meter.Paid, nameof(meter));
        var pending = StorageCodec.EncodeAmount(meter.PendingPayment, nameof(meter));
        var above = StorageCodec.EncodeAmount(meter.PendingAbove, nameof(meter));
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);

        // Inserted only next to a stored channel: a meter of an unknown channel is a caller's bug, not a row to keep.
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO payer_meters (chain_id, contract, channel_id, name, units, ticks, paid, pending, pending_above)
            SELECT chain_id, contract, channel_id, @name, @units, @ticks, @paid, @pending, @above FROM payer_channels WHERE {KeyWhere}
            ON CONFLICT (chain_id, contract, channel_id, name) DO UPDATE SET
                units = excluded.units, ticks = excluded.ticks, paid = excluded.paid, pending = excluded.pending, pending_above = excluded.pending_above
            """);
        AddKeyParameters(command.Parameters)(meter.Key);
        command.Parameters.Add(new NpgsqlParameter<string>("name", meter.Name));
        AddBytes(command, "units", units);
        command.Parameters.Add(new NpgsqlParameter<long>("ticks", meter.Ticks));
        AddBytes(command, "paid", paid);
        AddBytes(command, "pending", pending);
        AddBytes(command, "above", above);
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new InvalidOperationException($"PostgreSQL payer store: channel {meter.Key} is not stored.");
        }
    }

    /// <inheritdoc />
    public async Task<PayerMeterState?> GetMeterAsync(ChannelKey key, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT units, ticks, paid, pending, pending_above FROM payer_meters WHERE {KeyWhere} AND name = @name");
        AddKeyParameters(command.Parameters)(key);
        command.Parameters.Add(new NpgsqlParameter<string>("name", name));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new PayerMeterState(key, name, Amount(reader, 0, key), reader.GetInt64(1), Amount(reader, 2, key), Amount(reader, 3, key), Amount(reader, 4, key));
    }

    /// <inheritdoc />
    public async Task<StoredPayerChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {ChannelColumns} FROM payer_channels WHERE {KeyWhere}");
        AddKeyParameters(command.Parameters)(key);
        var list = await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {ChannelColumns} FROM payer_channels ORDER BY chain_id, contract, channel_id");
        return await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PayerReceipt>> ListReceiptsAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT cumulative, issued_at, signature, received_at FROM payer_receipts WHERE {KeyWhere} ORDER BY seq");
        AddKeyParameters(command.Parameters)(key);
        var list = new List<PayerReceipt>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!StorageCodec.TryDecodeAmount(reader.GetValue(0), out var amount)
                || reader.GetValue(2) is not byte[] signatureBytes
                || !EcdsaSignature.TryParseRsv(signatureBytes, out var signature))
            {
                throw new InvalidOperationException($"PostgreSQL payer store: a receipt row of channel {key} is corrupt.");
            }

            var received = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc));
            list.Add(new PayerReceipt(key, amount, StorageCodec.DecodeUInt64(reader.GetInt64(1)), signature, received));
        }

        return list;
    }

    /// <inheritdoc />
    public override string ToString() => "PostgreSQL payer store";

    private async Task TrySaveVouchersAsync(
        List<(ChannelKey Key, (byte[] Amount, byte[] Signature)? Signed, byte[]? Acknowledged)> writes, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var durable = new NpgsqlCommand("SET LOCAL synchronous_commit = on", connection, tx))
        {
            await durable.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // One statement per channel (row lock taken in key order): each amount is raised only if the new one is higher;
        // the row count says whether the channel exists at all (an unknown channel fails the batch).
        await using var update = new NpgsqlCommand($"""
            UPDATE payer_channels SET
                signed_signature = CASE WHEN @signed::bytea IS NOT NULL AND signed < @signed::bytea THEN @signature::bytea ELSE signed_signature END,
                signed = CASE WHEN @signed::bytea IS NOT NULL AND signed < @signed::bytea THEN @signed::bytea ELSE signed END,
                acknowledged = CASE WHEN @acked::bytea IS NOT NULL AND acknowledged < @acked::bytea THEN @acked::bytea ELSE acknowledged END
            WHERE {KeyWhere}
            """, connection, tx);
        var setKey = AddKeyParameters(update.Parameters);
        var signedAmount = new NpgsqlParameter("signed", NpgsqlDbType.Bytea);
        var signature = new NpgsqlParameter("signature", NpgsqlDbType.Bytea);
        var acked = new NpgsqlParameter("acked", NpgsqlDbType.Bytea);
        update.Parameters.Add(signedAmount);
        update.Parameters.Add(signature);
        update.Parameters.Add(acked);
        foreach (var write in writes)
        {
            setKey(write.Key);
            signedAmount.Value = (object?)write.Signed?.Amount ?? DBNull.Value;
            signature.Value = (object?)write.Signed?.Signature ?? DBNull.Value;
            acked.Value = (object?)write.Acknowledged ?? DBNull.Value;
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new InvalidOperationException($"PostgreSQL payer store: channel {write.Key} is not stored.");
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task EnsureMigratedAsync(CancellationToken cancellationToken) => _migration.EnsureAsync(MigrateOnceAsync, cancellationToken);

    private async Task MigrateOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PostgreSqlSchema.MigrateAsync(
            connection, "payer store", "payer_schema_migrations", Migrations, ".", version => LogMigrated(_logger, connection.Database, version), cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<List<StoredPayerChannel>> ReadChannelsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<StoredPayerChannel>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = new ChannelKey(
                StorageCodec.DecodeUInt64(reader.GetInt64(0)), Address.FromBytes((byte[])reader.GetValue(1)), ChannelId.FromBytes((byte[])reader.GetValue(2)));
            var parameters = new ChannelParameters(
                Address.FromBytes((byte[])reader.GetValue(3)),
                Address.FromBytes((byte[])reader.GetValue(4)),
                Address.FromBytes((byte[])reader.GetValue(5)),
                checked((uint)reader.GetInt64(6)),
                StorageCodec.DecodeUInt64(reader.GetInt64(7)));
            var url = reader.IsDBNull(10) ? null : new Uri(reader.GetString(10));
            var record = new PayerChannelRecord(key, parameters, Amount(reader, 8, key), Amount(reader, 9, key), url, (PayerChannelStatus)reader.GetInt16(11));
            list.Add(new StoredPayerChannel(record, Voucher(reader, 12, 13, key), Amount(reader, 14, key), Voucher(reader, 15, 16, key)));
        }

        return list;
    }

    private static BigInteger Amount(NpgsqlDataReader reader, int column, ChannelKey key) =>
        StorageCodec.TryDecodeAmount(reader.GetValue(column), out var amount)
            ? amount
            : throw new InvalidOperationException($"PostgreSQL payer store: column {column} of channel {key} is not a 32-byte amount.");

    private static SignedVoucher? Voucher(NpgsqlDataReader reader, int amountColumn, int signatureColumn, ChannelKey key)
    {
        if (reader.IsDBNull(signatureColumn))
        {
            return null;
        }

        if (!EcdsaSignature.TryParseRsv((byte[])reader.GetValue(signatureColumn), out var signature))
        {
            throw new InvalidOperationException($"PostgreSQL payer store: the signature in column {signatureColumn} of channel {key} is malformed.");
        }

        return new SignedVoucher(new Voucher(key.ChannelId, Amount(reader, amountColumn, key)), signature);
    }

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

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Payer store in database {Database}: schema version {Version} applied")]
    private static partial void LogMigrated(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Payer voucher batch hit SQLSTATE {SqlState}; retry {Attempt}")]
    private static partial void LogRetry(ILogger logger, string sqlState, int attempt);
}
