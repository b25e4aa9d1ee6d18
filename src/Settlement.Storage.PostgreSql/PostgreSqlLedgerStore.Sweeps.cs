using Settlement.Service.Flows;

namespace Settlement.Service.Storage.PostgreSql;

/// <summary>The registered sweeping consents in the ledger's PostgreSQL database (a trigger refuses UPDATE and DELETE).</summary>
public sealed partial class PostgreSqlLedgerStore : ISweepingConsentStore
{
    private const string ConsentColumns = FlowStoreRules.ConsentColumns;

    /// <inheritdoc />
    public async Task<bool> TryInsertSweepingConsentAsync(SweepingConsent consent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consent);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"""
            INSERT INTO sweeping_consents ({ConsentColumns})
            VALUES (@id, @user, @bank, @payer, @payee, @channel, @perPayment, @perPeriod, @type, @alignment, @from, @to)
            ON CONFLICT (consent_id) DO NOTHING
            """;
        FlowStoreRules.BindConsent(consent, (name, value) => insert.Parameters.AddWithValue(name, value));
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<SweepingConsent?> GetSweepingConsentAsync(string consentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentId);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {ConsentColumns} FROM sweeping_consents WHERE consent_id = @id";
        select.Parameters.AddWithValue("id", consentId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return FlowStoreRules.ReadConsent(reader);
    }
}
