using Microsoft.Extensions.Time.Testing;
using Settlement.OpenBanking.Transfers;
using Settlement.OpenBanking.Vrp;
using Settlement.Service.Flows;
using Settlement.Service.Reconciliation.Sources;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Reconciliation;

/// <summary>
/// The bank side of reconciliation with recharges: the transfer store's operations as listed, then one operation per
/// stored recharge whose sweep the connector knows, with the sweep's state mapped, its amount, payment id and time.
/// </summary>
public sealed class VrpSweepBankOperationsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly InMemorySettlementStore _store = new(new FakeTimeProvider(T0));

    private async Task<TopupFlow> StoreFlowAsync(string? consentId)
    {
        var id = Guid.NewGuid();
        var flow = new TopupFlow
        {
            Id = id,
            Request = new TopupRequest
            {
                FlowId = id, UserId = "user-1", Bank = "sandbox", AmountPence = 1_000, PayerAddress = "0x" + new string('1', 40), PayeeAddress = "0x" + new string('2', 40),
                ChannelId = "0x" + new string('c', 64), SweepingConsentId = consentId,
            },
            State = TopupFlowState.Created, Version = 1, CreatedAt = T0, UpdatedAt = T0,
        };
        (await _store.TryInsertAsync(FlowCodec.Encode(flow), "created")).ShouldBeTrue();
        return flow;
    }

    [Fact]
    public async Task ListAsync_TransfersThenEachKnownRechargeSweep_StatesMapped()
    {
        var listed = new BankOperation(Guid.NewGuid(), TransferKind.Payout, TransferState.Completed, 900, "GBP", "pay-1", T0);
        var completed = await StoreFlowAsync("consent-1");
        var topup = await StoreFlowAsync(null);
        var rejected = await StoreFlowAsync("consent-1");
        var refused = await StoreFlowAsync("consent-1");
        var submitted = await StoreFlowAsync("consent-1");
        var pending = await StoreFlowAsync("consent-1");
        var unknown = await StoreFlowAsync("consent-1");
        var sweeps = new KnownSweeps();
        sweeps.Add(completed, SweepState.Completed, 1_000, "sweep-pay-1");
        sweeps.Add(topup, SweepState.Completed, 5, "never-read");
        sweeps.Add(rejected, SweepState.Rejected, 1_001, "sweep-pay-2");
        sweeps.Add(refused, SweepState.Refused, 1_002, null);
        sweeps.Add(submitted, SweepState.Submitted, 1_003, "sweep-pay-4");
        sweeps.Add(pending, SweepState.Pending, 1_004, null);

        var operations = await new VrpSweepBankOperations(new Listed([listed]), sweeps, _store).ListAsync();

        operations.ShouldBe(
        [
            listed,
            new BankOperation(completed.BankOperationId, TransferKind.Topup, TransferState.Completed, 1_000, "GBP", "sweep-pay-1", T0.AddMinutes(1_000)),
            new BankOperation(rejected.BankOperationId, TransferKind.Topup, TransferState.Rejected, 1_001, "GBP", "sweep-pay-2", T0.AddMinutes(1_001)),
            new BankOperation(refused.BankOperationId, TransferKind.Topup, TransferState.Failed, 1_002, "GBP", null, T0.AddMinutes(1_002)),
            new BankOperation(submitted.BankOperationId, TransferKind.Topup, TransferState.PaymentSubmitted, 1_003, "GBP", "sweep-pay-4", T0.AddMinutes(1_003)),
            new BankOperation(pending.BankOperationId, TransferKind.Topup, TransferState.PaymentSubmitted, 1_004, "GBP", null, T0.AddMinutes(1_004)),
        ]);
        sweeps.Asked.ShouldNotContain(topup.BankOperationId.ToString("D"));
        sweeps.Asked.ShouldContain(unknown.BankOperationId.ToString("D"));
    }

    private sealed class Listed(IReadOnlyList<BankOperation> operations) : IBankOperationSource
    {
        public Task<IReadOnlyList<BankOperation>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult(operations);
    }

    /// <summary>The connector's stored sweeps by operation id (the flow's bank operation id, "D" format).</summary>
    private sealed class KnownSweeps : IVrpSweeps
    {
        private readonly Dictionary<string, SweepStatus> _sweeps = new(StringComparer.Ordinal);

        public List<string> Asked { get; } = [];

        public void Add(TopupFlow flow, SweepState state, long amount, string? paymentId)
        {
            var key = flow.BankOperationId.ToString("D");
            _sweeps[key] = new SweepStatus(key, "sandbox", "consent-1", amount, state, paymentId, null, null, null, [], null, T0, T0.AddMinutes(amount));
        }

        public Task<SweepStatus?> GetSweepStatusAsync(string operationId, CancellationToken cancellationToken)
        {
            Asked.Add(operationId);
            return Task.FromResult(_sweeps.GetValueOrDefault(operationId));
        }

        public Task<SweepOutcome> StartSweepAsync(string consentId, string operationId, long amountMinor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SweepStatus> AdvanceSweepAsync(string operationId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentSetup> CreateConsentAsync(string bank, VrpConsentTerms terms, string operationId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentView> CompleteAuthorizationAsync(VrpConsentSetup setup, string code, string state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentView> AuthorizeHeadlessAsync(VrpConsentSetup setup, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VrpConsentView?> GetConsentAsync(string consentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SweepStatus> PollUntilFinalAsync(string operationId, TimeSpan interval, int maxPolls, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> AvailableAllowanceAsync(string consentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SweepStatus>> ResumeAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RevokeConsentAsync(string consentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
