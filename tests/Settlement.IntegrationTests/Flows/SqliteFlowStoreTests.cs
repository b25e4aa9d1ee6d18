using Microsoft.Data.Sqlite;
using Settlement.Service.Flows;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The SQLite flow store: insert once, optimistic concurrency, append-only transitions, filters, and what a corrupt row does.</summary>
public sealed class SqliteFlowStoreTests : FlowTestBase
{
    private StoredFlow Flow(Guid id, string state = "Created", bool finished = false, long version = 1, FlowKind kind = FlowKind.Topup) =>
        new(id, kind, state, finished, "{}", version, T0, T0.AddMinutes(version));

    [Fact]
    public async Task Migrate_NewFile_SchemaVersion3WithTheFlowTables()
    {
        await Store().MigrateAsync();
        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqliteLedgerStore.SchemaVersion);
        SqliteLedgerStore.SchemaVersion.ShouldBe(3);
        (await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('settlement_flows', 'settlement_flow_transitions', 'ix_indexer_events_tx')")).ShouldBe(3L);
    }

    [Fact]
    public async Task TryInsert_SameIdTwice_SecondRefusedAndTheFirstKept()
    {
        var id = Guid.NewGuid();
        (await Store().TryInsertAsync(Flow(id), "created")).ShouldBeTrue();
        (await Store().TryInsertAsync(Flow(id, "Other"), "created")).ShouldBeFalse();

        (await Store().GetAsync(id)).ShouldBe(Flow(id));
        (await Store().GetTransitionsAsync(id)).ShouldHaveSingleItem().ShouldBe(new FlowTransition(1, id, 1, T0.AddMinutes(1), null, "Created", "created", null));
    }

    [Fact]
    public async Task TryUpdate_FromTheStoredVersion_AppliedWithItsTransition()
    {
        var id = Guid.NewGuid();
        await Store().TryInsertAsync(Flow(id), "created");

        (await Store().TryUpdateAsync(Flow(id, "AwaitingBank", version: 2), "bank-started", "detail")).ShouldBeTrue();

        (await Store().GetAsync(id)).ShouldBe(Flow(id, "AwaitingBank", version: 2));
        (await Store().GetTransitionsAsync(id))[^1].ShouldBe(new FlowTransition(2, id, 2, T0.AddMinutes(2), "Created", "AwaitingBank", "bank-started", "detail"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TryUpdate_NotTheNextVersion_RefusedAndNothingChanged(long version)
    {
        var id = Guid.NewGuid();
        await Store().TryInsertAsync(Flow(id), "created");

        (await Store().TryUpdateAsync(Flow(id, "AwaitingBank", version: version), "stale", null)).ShouldBeFalse();

        (await Store().GetAsync(id)).ShouldBe(Flow(id));
        (await Store().GetTransitionsAsync(id)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task TryUpdate_UnknownFlow_Refused()
    {
        (await Store().TryUpdateAsync(Flow(Guid.NewGuid(), version: 2), "x", null)).ShouldBeFalse();
    }

    [Fact]
    public async Task TryUpdate_OtherKind_RefusedAndNothingChanged()
    {
        var id = Guid.NewGuid();
        await Store().TryInsertAsync(Flow(id), "created");

        (await Store().TryUpdateAsync(Flow(id, "BurnSubmitted", version: 2, kind: FlowKind.Payout), "x", null)).ShouldBeFalse();
        (await Store().GetAsync(id)).ShouldBe(Flow(id));
    }

    [Theory]
    [InlineData("UPDATE settlement_flow_transitions SET event = 'forged'", "append-only")]
    [InlineData("DELETE FROM settlement_flow_transitions", "append-only")]
    [InlineData("DELETE FROM settlement_flows", "never deleted")]
    [InlineData("UPDATE settlement_flows SET version = version + 2", "version must grow by one")]
    [InlineData("UPDATE settlement_flows SET kind = 2, version = version + 1", "version must grow by one")]
    public async Task RawSql_RewritingHistory_RefusedByTriggers(string sql, string message)
    {
        var id = Guid.NewGuid();
        await Store().TryInsertAsync(Flow(id), "created");

        var e = await Should.ThrowAsync<SqliteException>(() => ScalarAsync(sql));
        e.Message.ShouldContain(message);
        (await Store().GetAsync(id)).ShouldBe(Flow(id));
        (await Store().GetTransitionsAsync(id)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task List_FiltersByKindAndUnfinished_OldestFirst()
    {
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await Store().TryInsertAsync(Flow(a) with { CreatedAt = T0.AddSeconds(2) }, "created");
        await Store().TryInsertAsync(Flow(b, kind: FlowKind.Payout) with { CreatedAt = T0.AddSeconds(1) }, "created");
        await Store().TryInsertAsync(Flow(c, "Funded", finished: true), "created");

        (await Store().ListAsync(null, false)).Select(f => f.Id).ShouldBe([c, b, a]);
        (await Store().ListAsync(null, true)).Select(f => f.Id).ShouldBe([b, a]);
        (await Store().ListAsync(FlowKind.Topup, true)).Select(f => f.Id).ShouldBe([a]);
        (await Store().ListAsync(FlowKind.Payout, false)).Select(f => f.Id).ShouldBe([b]);
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
