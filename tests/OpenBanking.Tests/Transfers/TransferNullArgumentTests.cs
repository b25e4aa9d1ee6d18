using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// A null argument to <see cref="TransferService"/> or <see cref="SqliteTransferStore"/> is refused with an
/// <see cref="ArgumentNullException"/> naming the parameter (never a NullReferenceException from deep inside),
/// before anything is sent to the bank or written.
/// </summary>
[Collection(SqlitePoolsCollection.Name)]
public sealed class TransferNullArgumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> ServiceCalls => new()
    {
        { "FindSameRequestAsync", "request" },
        { "CreateAsync", "request" },
        { "StartTopupAsync", "request" },
        { "StartPayoutAsync", "request" },
        { "Refusal", "request" },
        { "CompleteAuthorizationAsync", "state" },
        { "ApplyResourceUpdateAsync.bank", "bank" },
        { "ApplyResourceUpdateAsync.resourceId", "resourceId" },
        { "ApplyResourceUpdateAsync.resourceType", "resourceType" },
        { "ApplyPaymentStatusAsync.statusCode", "statusCode" },
        { "ApplyPaymentStatusAsync.source", "source" },
    };

    [Theory]
    [MemberData(nameof(ServiceCalls))]
    public async Task TransferService_NullArgument_ArgumentNullExceptionNamingItNothingSentOrStored(string call, string parameter)
    {
        using var t = new TestConnector();
        var s = t.Transfers;
        var ct = CancellationToken.None;
        Func<Task> act = call switch
        {
            "FindSameRequestAsync" => () => s.FindSameRequestAsync(TransferKind.Topup, null!, ct),
            "CreateAsync" => () => s.CreateAsync(TransferKind.Topup, null!, ct),
            "StartTopupAsync" => () => s.StartTopupAsync(null!, ct),
            "StartPayoutAsync" => () => s.StartPayoutAsync(null!, ct),
            "Refusal" => () => Task.FromResult(s.Refusal(TransferKind.Topup, null!)),
            "CompleteAuthorizationAsync" => () => s.CompleteAuthorizationAsync(null!, "code", null, ct),
            "ApplyResourceUpdateAsync.bank" => () => s.ApplyResourceUpdateAsync(null!, "pay-1", "domestic-payment", ct),
            "ApplyResourceUpdateAsync.resourceId" => () => s.ApplyResourceUpdateAsync("acme", null!, "domestic-payment", ct),
            "ApplyResourceUpdateAsync.resourceType" => () => s.ApplyResourceUpdateAsync("acme", "pay-1", null!, ct),
            "ApplyPaymentStatusAsync.statusCode" => () => s.ApplyPaymentStatusAsync(Guid.NewGuid(), null!, "test", ct),
            "ApplyPaymentStatusAsync.source" => () => s.ApplyPaymentStatusAsync(Guid.NewGuid(), "ACSC", null!, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };

        var ex = await Should.ThrowAsync<ArgumentNullException>(act);

        ex.ParamName.ShouldBe(parameter);
        t.Bank.Requests.ShouldBeEmpty();
        (await s.ListAsync(includeFinished: true, ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task FindSameRequest_WithARequest_StillFindsTheEarlierTransfer()
    {
        using var t = new TestConnector();
        var request = new TransferRequest { Bank = "acme", AmountMinor = 500, Reference = "INV-1" };
        var first = await t.Transfers.CreateAsync(TransferKind.Topup, request with { OperationId = Guid.NewGuid() }, CancellationToken.None);

        var found = await t.Transfers.FindSameRequestAsync(TransferKind.Topup, request, CancellationToken.None);

        found.Select(f => f.Id).ShouldBe([first.Operation.Id]);
    }

    [Fact]
    public async Task ApplyPaymentStatus_EmptySource_ArgumentExceptionNamingIt()
    {
        using var t = new TestConnector();
        var ex = await Should.ThrowAsync<ArgumentException>(() => t.Transfers.ApplyPaymentStatusAsync(Guid.NewGuid(), "ACSC", "", CancellationToken.None));
        ex.ParamName.ShouldBe("source");
    }

    public static TheoryData<string, string> StoreCalls => new()
    {
        { "TryAcquireLeaseAsync.holder", "holder" },
        { "TryAcquireLeaseAsync.holderIsGone", "holderIsGone" },
        { "ReleaseLeaseAsync", "holder" },
        { "TryInsertAsync.op", "op" },
        { "TryInsertAsync.eventName", "eventName" },
        { "TryUpdateAsync.expected", "expected" },
        { "TryUpdateAsync.updated", "updated" },
        { "TryUpdateAsync.eventName", "eventName" },
        { "AppendRefusedAsync.op", "op" },
        { "AppendRefusedAsync.eventName", "eventName" },
        { "AppendRefusedAsync.detail", "detail" },
        { "TryRecordNotificationAsync.bank", "bank" },
        { "TryRecordNotificationAsync.jti", "jti" },
        { "FindByConsentAsync.bank", "bank" },
        { "FindByConsentAsync.consentId", "consentId" },
        { "FindByPaymentAsync.bank", "bank" },
        { "FindByPaymentAsync.paymentId", "paymentId" },
        { "FindByAuthorizationStateAsync", "state" },
        { "ListByAmountAsync.bank", "bank" },
        { "ListByAmountAsync.amount", "amount" },
    };

    [Theory]
    [MemberData(nameof(StoreCalls))]
    public async Task Store_NullArgument_ArgumentNullExceptionNamingItRowAndTrailUnchanged(string call, string parameter)
    {
        var dir = Directory.CreateTempSubdirectory("ob-null-").FullName;
        try
        {
            var store = new SqliteTransferStore(Path.Combine(dir, "t.db"));
            var op = Operation();
            (await store.TryInsertAsync(op, "created", CancellationToken.None)).ShouldBeTrue();
            var ct = CancellationToken.None;
            Func<Task> act = call switch
            {
                "TryAcquireLeaseAsync.holder" => () => store.TryAcquireLeaseAsync(op.Id, null!, Now, TimeSpan.FromMinutes(1), _ => false, ct),
                "TryAcquireLeaseAsync.holderIsGone" => () => store.TryAcquireLeaseAsync(op.Id, "me", Now, TimeSpan.FromMinutes(1), null!, ct),
                "ReleaseLeaseAsync" => () => store.ReleaseLeaseAsync(op.Id, null!, ct),
                "TryInsertAsync.op" => () => store.TryInsertAsync(null!, "created", ct),
                "TryInsertAsync.eventName" => () => store.TryInsertAsync(op with { Id = Guid.NewGuid() }, null!, ct),
                "TryUpdateAsync.expected" => () => store.TryUpdateAsync(null!, op, "e", null, Now, ct),
                "TryUpdateAsync.updated" => () => store.TryUpdateAsync(op, null!, "e", null, Now, ct),
                "TryUpdateAsync.eventName" => () => store.TryUpdateAsync(op, op with { LastError = "x" }, null!, null, Now, ct),
                "AppendRefusedAsync.op" => () => store.AppendRefusedAsync(null!, TransferState.Failed, "e", "d", Now, ct),
                "AppendRefusedAsync.eventName" => () => store.AppendRefusedAsync(op, TransferState.Failed, null!, "d", Now, ct),
                "AppendRefusedAsync.detail" => () => store.AppendRefusedAsync(op, TransferState.Failed, "e", null!, Now, ct),
                "TryRecordNotificationAsync.bank" => () => store.TryRecordNotificationAsync(null!, "jti-1", Now, ct),
                "TryRecordNotificationAsync.jti" => () => store.TryRecordNotificationAsync("acme", null!, Now, ct),
                "FindByConsentAsync.bank" => () => store.FindByConsentAsync(null!, "c-1", ct),
                "FindByConsentAsync.consentId" => () => store.FindByConsentAsync("acme", null!, ct),
                "FindByPaymentAsync.bank" => () => store.FindByPaymentAsync(null!, "p-1", ct),
                "FindByPaymentAsync.paymentId" => () => store.FindByPaymentAsync("acme", null!, ct),
                "FindByAuthorizationStateAsync" => () => store.FindByAuthorizationStateAsync(null!, ct),
                "ListByAmountAsync.bank" => () => store.ListByAmountAsync(TransferKind.Topup, null!, new Money(500, "GBP"), ct),
                "ListByAmountAsync.amount" => () => store.ListByAmountAsync(TransferKind.Topup, "acme", default, ct),
                _ => throw new ArgumentOutOfRangeException(nameof(call)),
            };

            var ex = await Should.ThrowAsync<ArgumentNullException>(act);

            ex.ParamName.ShouldBe(parameter);
            (await store.GetAsync(op.Id, ct)).ShouldBe(op with { Version = 1 });
            (await store.GetTransitionsAsync(op.Id, ct)).Select(x => x.Event).ShouldBe(["created"]);
            (await store.ListAllAsync(ct)).Count.ShouldBe(1);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Store_NoPath_RefusedByNameBeforeAnyFileIsOpened(string? path)
    {
        var ex = Should.Throw<ArgumentException>(() => new SqliteTransferStore(path!));
        ex.ParamName.ShouldBe("path");
    }

    private static TransferOperation Operation() => new()
    {
        Id = Guid.NewGuid(),
        Kind = TransferKind.Topup,
        Bank = "acme",
        State = TransferState.Created,
        Instruction = new PaymentInstruction("instr", "e2e", new Money(500, "GBP"), new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"), null, null),
        Version = 1,
        CreatedAt = Now,
        UpdatedAt = Now,
    };
}
