using Settlement.Service.IntegrationTests.Ledger;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Ledger;

/// <summary>
/// The ledger store contract's account and transfer tests (linked from <c>tests/Settlement.IntegrationTests</c>, one
/// copy) over the in-memory store: the same <see cref="LedgerEngine"/> and <see cref="JournalVerifier"/> the SQLite and
/// PostgreSQL stores run, without a database, so the unit project (and a mutation run over it) reaches every result
/// code. The journal tampering tests edit rows with SQL and stay in the integration project.
/// </summary>
public sealed class InMemoryLedgerStoreTests : LedgerStoreContract
{
    private InMemorySettlementStore? _store;

    protected override string DisableJournalTriggersSql => throw new NotSupportedException("No SQL in memory.");

    /// <summary>One store per test: "another instance on the same database" is the same object in memory.</summary>
    protected override ILedgerStore OpenStore() => _store ??= new InMemorySettlementStore(Clock);

    protected override Task ExecuteAsync(string sql) => throw new NotSupportedException("No SQL in memory.");

    protected override string Blob(UInt128 value) => throw new NotSupportedException("No SQL in memory.");
}
