using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Payer.Storage;

/// <summary>
/// The payer's durable state: its channels, the newest voucher it signed in each (stored before the voucher leaves
/// the process, so a restarted payer never signs a lower amount and knows its exposure), the payee's acknowledgements
/// and signed receipts, the newest refund voucher and the totals of durable usage meters. Every voucher amount only moves up. Implementations: SQLite
/// (<c>Settlement.Channels.Storage.Sqlite.SqlitePayerStore</c>), PostgreSQL
/// (<c>Settlement.Channels.Storage.PostgreSql.PostgreSqlPayerStore</c>) and an in-memory one in the tests.
/// </summary>
public interface IPayerStore
{
    /// <summary>Creates or upgrades the schema; safe to call more than once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a channel or updates its deposits, payee URL and status (the status never moves back: a closed channel
    /// stays closed). The voucher state is left as it is.
    /// </summary>
    Task SaveChannelAsync(PayerChannelRecord channel, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies monotone voucher updates in one durable transaction (one flush for the batch): each signed voucher
    /// replaces the stored one only if its amount is higher, each acknowledged amount only if higher. The channels
    /// must exist. Returns once the writes would survive a power cut.
    /// </summary>
    /// <exception cref="InvalidOperationException">A channel is not in the store.</exception>
    Task SaveVouchersAsync(IReadOnlyList<PayerVoucherWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Stores a refund voucher (payee → payer) if its amount is higher than the stored one; true if it was.</summary>
    Task<bool> SaveRefundAsync(ChannelKey key, SignedVoucher refund, CancellationToken cancellationToken = default);

    /// <summary>Appends a verified receipt (receipts are never changed or deleted).</summary>
    Task AppendReceiptAsync(PayerReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>One channel, or null.</summary>
    Task<StoredPayerChannel?> GetChannelAsync(ChannelKey key, CancellationToken cancellationToken = default);

    /// <summary>Every channel, in key order.</summary>
    Task<IReadOnlyList<StoredPayerChannel>> ListChannelsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a durable meter's totals (one row per channel and meter name; the channel must exist). A meter has one
    /// writer at a time, so the newest write wins.
    /// </summary>
    /// <exception cref="InvalidOperationException">The channel is not in the store.</exception>
    Task SaveMeterAsync(PayerMeterState meter, CancellationToken cancellationToken = default);

    /// <summary>A meter's stored totals, or null if it never saved any.</summary>
    Task<PayerMeterState?> GetMeterAsync(ChannelKey key, string name, CancellationToken cancellationToken = default);

    /// <summary>The receipts of a channel, oldest first.</summary>
    Task<IReadOnlyList<PayerReceipt>> ListReceiptsAsync(ChannelKey key, CancellationToken cancellationToken = default);
}
