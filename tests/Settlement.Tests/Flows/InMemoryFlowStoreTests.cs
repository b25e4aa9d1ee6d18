using Settlement.Service.Flows;
using Settlement.Service.IntegrationTests.Flows;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// The flow store contract (linked from <c>tests/Settlement.IntegrationTests</c>, one copy) over the in-memory store the
/// flows' unit tests run on: the same <see cref="FlowStoreRules"/> refusals as the SQLite and PostgreSQL stores, insert
/// once, optimistic concurrency, filters and order. The trigger tests rewrite rows with SQL and stay in the integration
/// project.
/// </summary>
public sealed class InMemoryFlowStoreTests : FlowStoreContract
{
    private readonly InMemorySettlementStore _store = new(TimeProvider.System);

    /// <summary>One store per test: "a new instance on the same database" is the same object in memory.</summary>
    protected override IFlowStore Store() => _store;

    protected override Task ExecuteRawAsync(string sql) => throw new NotSupportedException("No SQL in memory.");

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync() => Task.CompletedTask;
}
