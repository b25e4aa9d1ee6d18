using Microsoft.Data.Sqlite;
using Settlement.Service.Flows;

namespace Settlement.Service.Storage.Sqlite;

/// <summary>
/// The settlement flows' tables in the ledger's SQLite file: one row per flow, updated only from its stored version
/// (optimistic concurrency; a trigger refuses any other version step), and an append-only transitions table (triggers
/// refuse UPDATE and DELETE) written in the same transaction as each change.
/// </summary>
public sealed partial class SqliteLedgerStore : IFlowStore
{
    private const string FlowColumns = FlowStoreRules.FlowColumns;

    /// <inheritdoc />
    public async Task<bool> TryInsertAsync(StoredFlow flow, string @event, CancellationToken cancellationToken = default)
    {
        FlowStoreRules.CheckInsert(flow, @event);

        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO settlement_flows ({FlowColumns}) VALUES ($id, $kind, $state, $finished, $payload, $version, $created, $updated) ON CONFLICT (id) DO NOTHING";
            BindFlow(insert, flow);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
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
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string? fromState;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT state FROM settlement_flows WHERE id = $id AND version = $expected";
            read.Parameters.AddWithValue("$id", next.Id.ToString("N"));
            read.Parameters.AddWithValue("$expected", next.Version - 1);
            fromState = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (fromState is null)
        {
            return false;
        }

        await using (var update = connection.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = """
                UPDATE settlement_flows SET state = $state, finished = $finished, payload = $payload, version = $version, updated_at = $updated
                WHERE id = $id AND version = $version - 1 AND kind = $kind
                """;
            BindFlow(update, next);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        await InsertTransitionAsync(connection, tx, next, fromState, @event, detail, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<StoredFlow?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {FlowColumns} FROM settlement_flows WHERE id = $id";
        select.Parameters.AddWithValue("$id", id.ToString("N"));
        var flows = await ReadFlowsAsync(select, cancellationToken).ConfigureAwait(false);
        return flows.Count == 0 ? null : flows[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredFlow>> ListAsync(FlowKind? kind, bool unfinishedOnly, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"""
            SELECT {FlowColumns} FROM settlement_flows
            WHERE ($kind IS NULL OR kind = $kind) AND ($open = 0 OR finished = 0)
            ORDER BY created_at, id
            """;
        select.Parameters.AddWithValue("$kind", kind is { } k ? (int)k : DBNull.Value);
        select.Parameters.AddWithValue("$open", unfinishedOnly ? 1 : 0);
        return await ReadFlowsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FlowTransition>> GetTransitionsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenMigratedAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT {FlowStoreRules.TransitionColumns} FROM settlement_flow_transitions WHERE flow_id = $id ORDER BY seq";
        select.Parameters.AddWithValue("$id", id.ToString("N"));
        var transitions = new List<FlowTransition>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            transitions.Add(FlowStoreRules.ReadTransition(reader, id));
        }

        return transitions;
    }

    private static void BindFlow(SqliteCommand command, StoredFlow flow)
    {
        command.Parameters.AddWithValue("$id", flow.Id.ToString("N"));
        command.Parameters.AddWithValue("$kind", (int)flow.Kind);
        command.Parameters.AddWithValue("$state", flow.State);
        command.Parameters.AddWithValue("$finished", flow.Finished ? 1 : 0);
        command.Parameters.AddWithValue("$payload", flow.Payload);
        command.Parameters.AddWithValue("$version", flow.Version);
        command.Parameters.AddWithValue("$created", flow.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$updated", flow.UpdatedAt.UtcTicks);
    }

    private static async Task InsertTransitionAsync(
        SqliteConnection connection, SqliteTransaction tx, StoredFlow flow, string? fromState, string @event, string? detail, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO settlement_flow_transitions (flow_id, version, at, from_state, to_state, event, detail)
            VALUES ($id, $version, $at, $from, $to, $event, $detail)
            """;
        insert.Parameters.AddWithValue("$id", flow.Id.ToString("N"));
        insert.Parameters.AddWithValue("$version", flow.Version);
        insert.Parameters.AddWithValue("$at", flow.UpdatedAt.UtcTicks);
        insert.Parameters.AddWithValue("$from", (object?)fromState ?? DBNull.Value);
        insert.Parameters.AddWithValue("$to", flow.State);
        insert.Parameters.AddWithValue("$event", @event);
        insert.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<StoredFlow>> ReadFlowsAsync(SqliteCommand select, CancellationToken cancellationToken)
    {
        var flows = new List<StoredFlow>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            flows.Add(new StoredFlow(
                Guid.ParseExact(reader.GetString(0), "N"),
                (FlowKind)reader.GetInt32(1),
                reader.GetString(2),
                reader.GetInt64(3) == 1,
                reader.GetString(4),
                reader.GetInt64(5),
                new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
                new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero)));
        }

        return flows;
    }
}
