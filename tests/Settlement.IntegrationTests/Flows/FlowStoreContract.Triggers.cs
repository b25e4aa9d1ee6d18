using System.Data.Common;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>The flow store contract's tests that rewrite rows with raw SQL: refused by the database's triggers.</summary>
public abstract partial class FlowStoreContract
{
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

        var e = await Should.ThrowAsync<DbException>(() => ExecuteRawAsync(sql));
        e.Message.ShouldContain(message);
        (await Store().GetAsync(id)).ShouldBe(Flow(id));
        (await Store().GetTransitionsAsync(id)).Count.ShouldBe(1);
    }
}
