using Npgsql;
using Settlement.Service.Flows;

namespace Settlement.Service.Storage.PostgreSql;

/// <summary>
/// The settlement flows' tables in the ledger's PostgreSQL database: one row per flow, updated only from its stored
/// version (the row is locked <c>FOR UPDATE</c>, and a trigger refuses any other version step), and an append-only
/// transitions table (triggers refuse UPDATE, DELETE and TRUNCATE) written in the same transaction as each change.
/// </summary>
public sealed partial class PostgreSqlLedgerStore : IFlowStore
{
    private const string FlowColumns = FlowStoreRules.FlowColumns;

    /// <inheritdoc />
    public async Task<bool> TryInsertAsync(StoredFlow flow, string @event, CancellationToken cancellationToken = default)
    {
        FlowStoreRules.CheckInsert(flow, @event);

        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO settlement_flows ({FlowColumns}) VALUES (@id, @kind, @state, @finished, @payload, @version, @created, @updated) ON CONFLICT (id) DO NOTHING",
            connection,
            tx))
        {
            BindFlow(insert, flow);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        await InsertTransitionAsync(connection, tx, flow, null, @event, null, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<bool> TryUpdateAsync(StoredFlow next, string @event, string? detail, CancellationToken cancellationToken = default)
    {
        FlowStoreRules.CheckUpdate(next, @event);
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string? fromState;
        await using (var read = new NpgsqlCommand("SELECT state FROM settlement_flows WHERE id = @id AND version = @expected AND kind = @kind FOR UPDATE", connection, tx))
        {
            read.Parameters.AddWithValue("id", next.Id);
            read.Parameters.AddWithValue("expected", next.Version - 1);
            read.Parameters.AddWithValue("kind", (int)next.Kind);
            fromState = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (fromState is null)
        {
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE settlement_flows SET state = @state, finished = @finished, payload = @payload, version = @version, updated_at = @updated WHERE id = @id",
            connection,
            tx))
        {
            BindFlow(update, next);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertTransitionAsync(connection, tx, next, fromState, @event, detail, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<StoredFlow?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand($"SELECT {FlowColumns} FROM settlement_flows WHERE id = @id", connection);
        select.Parameters.AddWithValue("id", id);
        var flows = await ReadFlowsAsync(select, cancellationToken).ConfigureAwait(false);
        return flows.Count == 0 ? null : flows[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredFlow>> ListAsync(FlowKind? kind, bool unfinishedOnly, CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            $"SELECT {FlowColumns} FROM settlement_flows WHERE (@kind = 0 OR kind = @kind) AND (NOT @open OR NOT finished) ORDER BY created_at, id",
            connection);
        select.Parameters.AddWithValue("kind", kind is { } k ? (int)k : 0);
        select.Parameters.AddWithValue("open", unfinishedOnly);
        return await ReadFlowsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FlowTransition>> GetTransitionsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            $"SELECT {FlowStoreRules.TransitionColumns} FROM settlement_flow_transitions WHERE flow_id = @id ORDER BY seq", connection);
        select.Parameters.AddWithValue("id", id);
        var transitions = new List<FlowTransition>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            transitions.Add(FlowStoreRules.ReadTransition(reader, id));
        }

        return transitions;
    }

    private static void BindFlow(NpgsqlCommand command, StoredFlow flow)
    {
        command.Parameters.AddWithValue("id", flow.Id);
        command.Parameters.AddWithValue("kind", (int)flow.Kind);
        command.Parameters.AddWithValue("state", flow.State);
        command.Parameters.AddWithValue("finished", flow.Finished);
        command.Parameters.AddWithValue("payload", flow.Payload);
        command.Parameters.AddWithValue("version", flow.Version);
        command.Parameters.AddWithValue("created", flow.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("updated", flow.UpdatedAt.UtcTicks);
    }

    private static async Task InsertTransitionAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, StoredFlow flow, string? fromState, string @event, string? detail, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO settlement_flow_transitions (flow_id, version, at, from_state, to_state, event, detail)
            VALUES (@id, @version, @at, @from, @to, @event, @detail)
            """,
            connection,
            tx);
        insert.Parameters.AddWithValue("id", flow.Id);
        insert.Parameters.AddWithValue("version", flow.Version);
        insert.Parameters.AddWithValue("at", flow.UpdatedAt.UtcTicks);
        insert.Parameters.AddWithValue("from", NpgsqlTypes.NpgsqlDbType.Text, (object?)fromState ?? DBNull.Value);
        insert.Parameters.AddWithValue("to", flow.State);
        insert.Parameters.AddWithValue("event", @event);
        insert.Parameters.AddWithValue("detail", NpgsqlTypes.NpgsqlDbType.Text, (object?)detail ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<StoredFlow>> ReadFlowsAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        var flows = new List<StoredFlow>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            flows.Add(new StoredFlow(
                reader.GetGuid(0),
                (FlowKind)reader.GetInt32(1),
                reader.GetString(2),
                reader.GetBoolean(3),
                reader.GetString(4),
                reader.GetInt64(5),
                new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
                new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero)));
        }

        return flows;
    }
}
