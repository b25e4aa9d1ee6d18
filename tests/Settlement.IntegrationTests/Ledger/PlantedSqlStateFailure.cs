using Npgsql;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>
/// Makes the first <c>failures</c> inserts into a PostgreSQL table fail with a chosen SQLSTATE (a statement trigger), and
/// counts the attempts with a sequence, which a rolled-back transaction does not reset: the store's retry rules tested
/// without racing two writers.
/// </summary>
internal static class PlantedSqlStateFailure
{
    /// <summary>Plants the failure on <paramref name="table"/> (the store must have migrated).</summary>
    public static async Task PlantAsync(string connectionString, string table, string sqlState, int failures)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var plant = new NpgsqlCommand(
            $"""
            CREATE SEQUENCE planted_attempts;
            CREATE FUNCTION planted_failure() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('planted_attempts') <= {failures} THEN
                        RAISE EXCEPTION 'planted failure' USING ERRCODE = '{sqlState}';
                    END IF;
                    RETURN NULL;
                END $$;
            CREATE TRIGGER planted_failure BEFORE INSERT ON {table} FOR EACH STATEMENT EXECUTE FUNCTION planted_failure();
            """,
            connection);
        await plant.ExecuteNonQueryAsync();
    }

    /// <summary>The inserts tried on the planted table so far (failed or not).</summary>
    public static async Task<long> AttemptsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM planted_attempts", connection);
        return (long)(await read.ExecuteScalarAsync())!;
    }
}
