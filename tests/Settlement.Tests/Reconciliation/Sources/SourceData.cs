using Settlement.OpenBanking.Pis;
using Settlement.Service.Flows;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Reconciliation.Sources;

/// <summary>Builders for the record builders' tests: flows as stored, ledger transfers as looked up.</summary>
internal static class SourceData
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An account that is not BankClearing.</summary>
    public const ulong Other = 4242;

    public static TopupFlow Topup(Guid id, long pence, TopupFlowState state = TopupFlowState.Funded, long version = 1, ChainStep? funding = null, BankReturn? bankReturn = null) => new()
    {
        Id = id,
        Request = new TopupRequest
        {
            FlowId = id, UserId = "user-1", Bank = "sandbox", AmountPence = pence,
            PayerAddress = "0x1111111111111111111111111111111111111111", PayeeAddress = "0x2222222222222222222222222222222222222222",
        },
        State = state,
        Version = version,
        CreatedAt = T0,
        UpdatedAt = T0.AddMinutes(version),
        Funding = funding ?? new ChainStep("0x" + new string('f', 64), 1, "0x" + new string('c', 64)),
        Return = bankReturn,
    };

    public static PayoutFlow Payout(Guid id, long pence, long fee, PayoutFlowState state = PayoutFlowState.Paid, long version = 1, ChainStep? burn = null, BankReturn? bankReturn = null) => new()
    {
        Id = id,
        Order = new PayoutOrder(Guid.Empty, "merchant-1", "0x3333333333333333333333333333333333333333", "sandbox", new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "20000055555555", "Merchant Ltd"), pence, fee),
        State = state,
        Version = version,
        CreatedAt = T0,
        UpdatedAt = T0.AddMinutes(version),
        Burn = burn ?? new ChainStep("0x" + new string('e', 64), 2, null),
        Return = bankReturn,
    };

    public static UInt128 Clearing => SettlementAccounts.BankClearing.Id;

    public static Dictionary<UInt128, StoredTransfer> Transfers(params StoredTransfer[] transfers) => transfers.ToDictionary(t => t.Transfer.Id);

    public static StoredTransfer Stored(UInt128 id, UInt128 debit, UInt128 credit, ulong amount, TimeSpan at, TransferFlags flags = TransferFlags.None, ushort code = 1) =>
        new(new Transfer(id, debit, credit, amount, 1, code, flags), T0 + at);
}

/// <summary>A flow store that lists the given rows as given (duplicates, versions and order included); reads only.</summary>
internal sealed class ListedFlowStore(IReadOnlyList<StoredFlow> flows) : IFlowStore
{
    public Task MigrateAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<bool> TryInsertAsync(StoredFlow flow, string @event, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<bool> TryUpdateAsync(StoredFlow next, string @event, string? detail, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<StoredFlow?> GetAsync(Guid id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<StoredFlow>> ListAsync(FlowKind? kind, bool unfinishedOnly, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredFlow>>(kind is null && !unfinishedOnly ? flows : throw new NotSupportedException());

    public Task<IReadOnlyList<FlowTransition>> GetTransitionsAsync(Guid id, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
