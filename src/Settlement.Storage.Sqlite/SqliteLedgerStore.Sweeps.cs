using Settlement.Service.Flows;

namespace Settlement.Service.Storage.Sqlite;

/// <summary>The registered sweeping consents in the ledger's SQLite file (triggers refuse UPDATE and DELETE).</summary>
public sealed partial class SqliteLedgerStore : ISweepingConsentStore
{
    private const string ConsentColumns =
        "consent_id, user_id, bank, payer, payee, channel_id, max_per_payment, max_per_period, period_type, period_alignment, valid_from, valid_to";

    /// <inheritdoc />
    public async Task<bool> TryInsertSweepingConsentAsync(SweepingConsent consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            INSERT INTO sweeping_consents ({ConsentColumns})
            VALUES ($id, $user, $bank, $payer, $payee, $channel, $perPayment, $perPeriod, $type, $alignment, $from, $to)
            ON CONFLICT (consent_id) DO NOTHING
            """;
        insert.Parameters.AddWithValue("$id", consent.ConsentId);
        insert.Parameters.AddWithValue("$user", consent.UserId);
        insert.Parameters.AddWithValue("$bank", consent.Bank);
        insert.Parameters.AddWithValue("$payer", consent.PayerAddress);
        insert.Parameters.AddWithValue("$payee", consent.PayeeAddress);
        insert.Parameters.AddWithValue("$channel", consent.ChannelId);
        insert.Parameters.AddWithValue("$perPayment", consent.MaxPerPaymentPence);
        insert.Parameters.AddWithValue("$perPeriod", consent.MaxPerPeriodPence);
        insert.Parameters.AddWithValue("$type", (int)consent.PeriodType);
        insert.Parameters.AddWithValue("$alignment", (int)consent.PeriodAlignment);
        insert.Parameters.AddWithValue("$from", consent.ValidFrom.UtcTicks);
        insert.Parameters.AddWithValue("$to", consent.ValidTo is { } to ? to.UtcTicks : DBNull.Value);
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<SweepingConsent?> GetSweepingConsentAsync(string consentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentId);
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {ConsentColumns} FROM sweeping_consents WHERE consent_id = $id";
        select.Parameters.AddWithValue("$id", consentId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SweepingConsent
        {
            ConsentId = reader.GetString(0),
            UserId = reader.GetString(1),
            Bank = reader.GetString(2),
            PayerAddress = reader.GetString(3),
            PayeeAddress = reader.GetString(4),
            ChannelId = reader.GetString(5),
            MaxPerPaymentPence = reader.GetInt64(6),
            MaxPerPeriodPence = reader.GetInt64(7),
            PeriodType = (SweepPeriodType)reader.GetInt32(8),
            PeriodAlignment = (SweepPeriodAlignment)reader.GetInt32(9),
            ValidFrom = new DateTimeOffset(reader.GetInt64(10), TimeSpan.Zero),
            ValidTo = reader.IsDBNull(11) ? null : new DateTimeOffset(reader.GetInt64(11), TimeSpan.Zero),
        };
    }
}
