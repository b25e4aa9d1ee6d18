using Microsoft.Data.Sqlite;
using Settlement.Service.Flows;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The SQLite file's flow schema, and what a row whose data does not fit its state does to a runner.</summary>
public sealed class SqliteFlowSchemaTests : FlowTestBase
{
    private static StoredFlow Flow(Guid id, string state = "Created") => new(id, FlowKind.Topup, state, false, "{}", 1, T0, T0);

    [Fact]
    public async Task Migrate_NewFile_SchemaVersion4WithTheFlowAndConsentTables()
    {
        await Store().MigrateAsync();
        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqliteLedgerStore.SchemaVersion);
        SqliteLedgerStore.SchemaVersion.ShouldBe(4);
        (await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('settlement_flows', 'settlement_flow_transitions', 'ix_indexer_events_tx', 'sweeping_consents')")).ShouldBe(4L);
    }

    [Theory]
    [InlineData("AwaitingConfirmation", """{"request":{"flowId":"$ID","userId":"u","bank":"b","amountPence":1,"payerAddress":"0x1111111111111111111111111111111111111111","payeeAddress":"0x2222222222222222222222222222222222222222"}}""")]
    [InlineData("NoSuchState", """{"request":{"flowId":"$ID","userId":"u","bank":"b","amountPence":1,"payerAddress":"0x1111111111111111111111111111111111111111","payeeAddress":"0x2222222222222222222222222222222222222222"}}""")]
    [InlineData("Created", "not json")]
    [InlineData("Created", """{"request":{"flowId":"00000000-0000-0000-0000-000000000001","userId":"u","bank":"b","amountPence":1,"payerAddress":"0x1111111111111111111111111111111111111111","payeeAddress":"0x2222222222222222222222222222222222222222"}}""")]
    public async Task Get_RowWhoseDataDoesNotFitItsState_InvalidDataException(string state, string payload)
    {
        var id = Guid.NewGuid();
        await Store().TryInsertAsync(Flow(id, state) with { Payload = payload.Replace("$ID", id.ToString(), StringComparison.Ordinal) }, "created");

        await Should.ThrowAsync<InvalidDataException>(() => Runner().GetTopupAsync(id));
        await Should.ThrowAsync<InvalidDataException>(() => Runner().AdvanceAsync(id));
        (await Runner().ResumeAllAsync()).ShouldBeEmpty();
        (await Store().GetAsync(id))!.Version.ShouldBe(1);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
