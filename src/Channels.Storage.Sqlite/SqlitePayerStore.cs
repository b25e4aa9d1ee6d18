using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Storage.Sqlite;

/// <summary>
/// The payer's <see cref="IPayerStore"/> in one SQLite file (a device, an app, the CLI). WAL with
/// <c>synchronous=FULL</c>: <see cref="SaveVouchersAsync"/> returns once the batch is on disk, so a voucher leaves the
/// process only after it would survive a power cut. Amounts only move up (conditional updates on 32-byte big-endian
/// words, compared by SQLite as blobs, which is numeric order). The file holds signed vouchers and receipts, so it is
/// owner-only (0600). Receipts are append-only (triggers).
/// </summary>
public sealed class SqlitePayerStore : IPayerStore, IAsyncDisposable
{
    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = 2;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS payer_channels (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            payer BLOB NOT NULL CHECK (length(payer) = 20),
            payee BLOB NOT NULL CHECK (length(payee) = 20),
            token BLOB NOT NULL CHECK (length(token) = 20),
            challenge_period INTEGER NOT NULL,
            nonce INTEGER NOT NULL,
            deposit BLOB NOT NULL CHECK (length(deposit) = 32),
            payee_deposit BLOB NOT NULL CHECK (length(payee_deposit) = 32),
            payee_url TEXT NULL,
            status INTEGER NOT NULL CHECK (status IN (0, 1, 2)),
            signed BLOB NOT NULL CHECK (length(signed) = 32),
            signed_signature BLOB NULL CHECK (signed_signature IS NULL OR length(signed_signature) = 65),
            acknowledged BLOB NOT NULL CHECK (length(acknowledged) = 32),
            refund BLOB NOT NULL CHECK (length(refund) = 32),
            refund_signature BLOB NULL CHECK (refund_signature IS NULL OR length(refund_signature) = 65),
            PRIMARY KEY (chain_id, contract, channel_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS payer_receipts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL,
            channel_id BLOB NOT NULL,
            cumulative BLOB NOT NULL CHECK (length(cumulative) = 32),
            issued_at INTEGER NOT NULL,
            signature BLOB NOT NULL CHECK (length(signature) = 65),
            received_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_payer_receipts_channel ON payer_receipts (chain_id, contract, channel_id, seq);
        CREATE TRIGGER IF NOT EXISTS payer_receipts_no_update BEFORE UPDATE ON payer_receipts
            BEGIN SELECT RAISE(ABORT, 'payer_receipts is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS payer_receipts_no_delete BEFORE DELETE ON payer_receipts
            BEGIN SELECT RAISE(ABORT, 'payer_receipts is append-only'); END;
        """,
        """
        CREATE TABLE IF NOT EXISTS payer_meters (
            chain_id INTEGER NOT NULL,
            contract BLOB NOT NULL CHECK (length(contract) = 20),
            channel_id BLOB NOT NULL CHECK (length(channel_id) = 32),
            name TEXT NOT NULL,
            units BLOB NOT NULL CHECK (length(units) = 32),
            ticks INTEGER NOT NULL CHECK (ticks >= 0),
            paid BLOB NOT NULL CHECK (length(paid) = 32),
            pending BLOB NOT NULL CHECK (length(pending) = 32),
            pending_above BLOB NOT NULL CHECK (length(pending_above) = 32),
            PRIMARY KEY (chain_id, contract, channel_id, name)
        ) WITHOUT ROWID;
        """,
    ];

    private const string KeyWhere = "chain_id = $chain AND contract = $contract AND channel_id = $channel";
    private const string ChannelColumns = "chain_id, contract, channel_id, payer, payee, token, challenge_period, nonce, deposit, payee_deposit, "
        + "payee_url, status, signed, signed_signature, acknowledged, refund, refund_signature";

    private static readonly byte[] ZeroWord = new byte[StorageCodec.AmountLength];

    private readonly string _path;
    private readonly SqliteStoreFile _file;
    private readonly SemaphoreSlim _writerLock = new(1, 1);
    private VoucherWriter? _writer;

    /// <summary>A store on <paramref name="path"/> (created owner-only if missing). Touches nothing until first used.</summary>
    public SqlitePayerStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _file = new SqliteStoreFile(path, TimeSpan.FromSeconds(10), foreignKeys: false,
            (connection, ct) => SqliteSchema.MigrateAsync(connection, "payer store", path, Migrations, ".", ct));
    }

    /// <summary>The database file.</summary>
    public string Path => _path;

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken = default) => _file.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    public async Task SaveChannelAsync(PayerChannelRecord channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO payer_channels ({ChannelColumns})
            VALUES ($chain, $contract, $channel, $payer, $payee, $token, $period, $nonce, $deposit, $payeeDeposit, $url, $status, $zero, NULL, $zero, $zero, NULL)
            ON CONFLICT (chain_id, contract, channel_id) DO UPDATE SET
                deposit = excluded.deposit, payee_deposit = excluded.payee_deposit,
                payee_url = coalesce(excluded.payee_url, payer_channels.payee_url),
                status = max(payer_channels.status, excluded.status)
            """;
        AddKey(command)(channel.Key);
        var p = channel.Parameters;
        command.Parameters.AddWithValue("$payer", p.Payer.Bytes.ToArray());
        command.Parameters.AddWithValue("$payee", p.Payee.Bytes.ToArray());
        command.Parameters.AddWithValue("$token", p.Token.Bytes.ToArray());
        command.Parameters.AddWithValue("$period", (long)p.ChallengePeriodSeconds);
        command.Parameters.AddWithValue("$nonce", StorageCodec.EncodeUInt64(p.Nonce));
        command.Parameters.AddWithValue("$deposit", StorageCodec.EncodeAmount(channel.Deposit, nameof(channel)));
        command.Parameters.AddWithValue("$payeeDeposit", StorageCodec.EncodeAmount(channel.PayeeDeposit, nameof(channel)));
        command.Parameters.AddWithValue("$url", (object?)channel.PayeeStreamUrl?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("$status", (long)channel.Status);
        command.Parameters.AddWithValue("$zero", ZeroWord);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Voucher batches are the hot path (one per group commit): they go through one dedicated connection with prepared
    /// statements, kept open between batches, so a batch costs its statements and one fsync, not a connection set-up.
    /// </remarks>
    public async Task SaveVouchersAsync(IReadOnlyList<PayerVoucherWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        await _writerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = _writer ??= await VoucherWriter.OpenAsync(this, cancellationToken).ConfigureAwait(false);
            try
            {
                await writer.WriteAsync(writes, _path, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // A failed batch (disk full, an unknown channel) leaves nothing half-written; start clean next time.
                _writer = null;
                await writer.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _writerLock.Release();
        }
    }

    /// <summary>Closes the voucher writer's connection (other operations use pooled connections).</summary>
    public async ValueTask DisposeAsync()
    {
        await _writerLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is { } writer)
            {
                _writer = null;
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writerLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<bool> SaveRefundAsync(ChannelKey key, SignedVoucher refund, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refund);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE payer_channels SET refund = $amount, refund_signature = $signature WHERE {KeyWhere} AND refund < $amount";
        AddKey(command)(key);
        command.Parameters.AddWithValue("$amount", StorageCodec.EncodeAmount(refund.Voucher.CumulativeAmount, nameof(refund)));
        command.Parameters.AddWithValue("$signature", refund.Signature.ToRsv());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task AppendReceiptAsync(PayerReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO payer_receipts (chain_id, contract, channel_id, cumulative, issued_at, signature, received_at) "
            + "VALUES ($chain, $contract, $channel, $amount, $issued, $signature, $received)";
        AddKey(command)(receipt.Key);
        command.Parameters.AddWithValue("$amount", StorageCodec.EncodeAmount(receipt.Cumulative, nameof(receipt)));
        command.Parameters.AddWithValue("$issued", StorageCodec.EncodeUInt64(receipt.IssuedAt));
        command.Parameters.AddWithValue("$signature", receipt.Signature.ToRsv());
        command.Parameters.AddWithValue("$received", receipt.ReceivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredPayerChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ChannelColumns} FROM payer_channels WHERE {KeyWhere}";
        AddKey(command)(key);
        var list = await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {ChannelColumns} FROM payer_channels ORDER BY chain_id, contract, channel_id";
        return await ReadChannelsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PayerReceipt>> ListReceiptsAsync(ChannelKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT cumulative, issued_at, signature, received_at FROM payer_receipts WHERE {KeyWhere} ORDER BY seq";
        AddKey(command)(key);
        var list = new List<PayerReceipt>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!StorageCodec.TryDecodeAmount(reader.GetValue(0), out var amount)
                || reader.GetValue(2) is not byte[] signatureBytes
                || !EcdsaSignature.TryParseRsv(signatureBytes, out var signature)
                || !DateTimeOffset.TryParseExact(reader.GetString(3), "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var received))
            {
                throw new InvalidOperationException($"Payer store '{_path}': a receipt row of channel {key} is corrupt.");
            }

            list.Add(new PayerReceipt(key, amount, StorageCodec.DecodeUInt64(reader.GetInt64(1)), signature, received));
        }

        return list;
    }

    /// <inheritdoc />
    public async Task SaveMeterAsync(PayerMeterState meter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentException.ThrowIfNullOrEmpty(meter.Name, nameof(meter));
        ArgumentOutOfRangeException.ThrowIfNegative(meter.Ticks, nameof(meter));
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Inserted only next to a stored channel: a meter of an unknown channel is a caller's bug, not a row to keep.
        command.CommandText = $"""
            INSERT INTO payer_meters (chain_id, contract, channel_id, name, units, ticks, paid, pending, pending_above)
            SELECT chain_id, contract, channel_id, $name, $units, $ticks, $paid, $pending, $above FROM payer_channels WHERE {KeyWhere}
            ON CONFLICT (chain_id, contract, channel_id, name) DO UPDATE SET
                units = excluded.units, ticks = excluded.ticks, paid = excluded.paid, pending = excluded.pending, pending_above = excluded.pending_above
            """;
        AddKey(command)(meter.Key);
        command.Parameters.AddWithValue("$name", meter.Name);
        command.Parameters.AddWithValue("$units", StorageCodec.EncodeAmount(meter.Units, nameof(meter)));
        command.Parameters.AddWithValue("$ticks", meter.Ticks);
        command.Parameters.AddWithValue("$paid", StorageCodec.EncodeAmount(meter.Paid, nameof(meter)));
        command.Parameters.AddWithValue("$pending", StorageCodec.EncodeAmount(meter.PendingPayment, nameof(meter)));
        command.Parameters.AddWithValue("$above", StorageCodec.EncodeAmount(meter.PendingAbove, nameof(meter)));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new InvalidOperationException($"Payer store '{_path}': channel {meter.Key} is not stored.");
        }
    }

    /// <inheritdoc />
    public async Task<PayerMeterState?> GetMeterAsync(ChannelKey key, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT units, ticks, paid, pending, pending_above FROM payer_meters WHERE {KeyWhere} AND name = $name";
        AddKey(command)(key);
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new PayerMeterState(key, name, Amount(reader, 0, key), reader.GetInt64(1), Amount(reader, 2, key), Amount(reader, 3, key), Amount(reader, 4, key));
    }

    /// <inheritdoc />
    public override string ToString() => $"SQLite payer store at {_path}";

    private static Action<ChannelKey> AddKey(SqliteCommand command)
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

    private async Task<List<StoredPayerChannel>> ReadChannelsAsync(SqliteCommand command, CancellationToken cancellationToken)
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
                (uint)reader.GetInt64(6),
                StorageCodec.DecodeUInt64(reader.GetInt64(7)));
            var url = reader.IsDBNull(10) ? null : new Uri(reader.GetString(10));
            var record = new PayerChannelRecord(key, parameters, Amount(reader, 8, key), Amount(reader, 9, key), url, (PayerChannelStatus)reader.GetInt64(11));
            var signed = Voucher(reader, 12, 13, key);
            var refund = Voucher(reader, 15, 16, key);
            list.Add(new StoredPayerChannel(record, signed, Amount(reader, 14, key), refund));
        }

        return list;
    }

    private BigInteger Amount(SqliteDataReader reader, int column, ChannelKey key) =>
        StorageCodec.TryDecodeAmount(reader.GetValue(column), out var amount)
            ? amount
            : throw new InvalidOperationException($"Payer store '{_path}': column {column} of channel {key} is not a 32-byte amount.");

    private SignedVoucher? Voucher(SqliteDataReader reader, int amountColumn, int signatureColumn, ChannelKey key)
    {
        if (reader.IsDBNull(signatureColumn))
        {
            return null;
        }

        if (!EcdsaSignature.TryParseRsv((byte[])reader.GetValue(signatureColumn), out var signature))
        {
            throw new InvalidOperationException($"Payer store '{_path}': the signature in column {signatureColumn} of channel {key} is malformed.");
        }

        return new SignedVoucher(new Voucher(key.ChannelId, Amount(reader, amountColumn, key)), signature);
    }

    private Task<SqliteConnection> OpenMigratedAsync(CancellationToken cancellationToken) => _file.OpenMigratedAsync(cancellationToken);

    /// <summary>The dedicated connection and prepared statements of voucher batches.</summary>
    private sealed class VoucherWriter : IAsyncDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _exists;
        private readonly SqliteCommand _signed;
        private readonly SqliteCommand _acked;
        private readonly Action<ChannelKey> _existsKey;
        private readonly Action<ChannelKey> _signedKey;
        private readonly Action<ChannelKey> _ackedKey;
        private readonly SqliteParameter _signedAmount;
        private readonly SqliteParameter _signedSignature;
        private readonly SqliteParameter _ackedAmount;

        private VoucherWriter(SqliteConnection connection)
        {
            _connection = connection;
            _exists = connection.CreateCommand();
            _exists.CommandText = $"SELECT 1 FROM payer_channels WHERE {KeyWhere}";
            _existsKey = AddKey(_exists);
            _signed = connection.CreateCommand();
            _signed.CommandText = $"UPDATE payer_channels SET signed = $amount, signed_signature = $signature WHERE {KeyWhere} AND signed < $amount";
            _signedKey = AddKey(_signed);
            _signedAmount = _signed.Parameters.Add("$amount", SqliteType.Blob);
            _signedSignature = _signed.Parameters.Add("$signature", SqliteType.Blob);
            _acked = connection.CreateCommand();
            _acked.CommandText = $"UPDATE payer_channels SET acknowledged = $amount WHERE {KeyWhere} AND acknowledged < $amount";
            _ackedKey = AddKey(_acked);
            _ackedAmount = _acked.Parameters.Add("$amount", SqliteType.Blob);
        }

        public static async Task<VoucherWriter> OpenAsync(SqlitePayerStore store, CancellationToken cancellationToken)
        {
            var connection = await store.OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
            return new VoucherWriter(connection);
        }

        public async Task WriteAsync(IReadOnlyList<PayerVoucherWrite> writes, string path, CancellationToken cancellationToken)
        {
            await using var tx = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            _exists.Transaction = tx;
            _signed.Transaction = tx;
            _acked.Transaction = tx;
            foreach (var write in writes)
            {
                // The conditional updates change nothing when the amount is not newer or the row is missing; only then
                // is the row looked for (an unknown channel is a caller's bug, not a write to drop silently).
                var changed = 0;
                if (write.Signed is { } voucher)
                {
                    _signedKey(write.Key);
                    _signedAmount.Value = StorageCodec.EncodeAmount(voucher.Voucher.CumulativeAmount, nameof(writes));
                    _signedSignature.Value = voucher.Signature.ToRsv();
                    changed += await _signed.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (write.Acknowledged is { } amount)
                {
                    _ackedKey(write.Key);
                    _ackedAmount.Value = StorageCodec.EncodeAmount(amount, nameof(writes));
                    changed += await _acked.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (changed == 0)
                {
                    _existsKey(write.Key);
                    if (await _exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw new InvalidOperationException($"Payer store '{path}': channel {write.Key} is not stored.");
                    }
                }
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await _exists.DisposeAsync().ConfigureAwait(false);
            await _signed.DisposeAsync().ConfigureAwait(false);
            await _acked.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
