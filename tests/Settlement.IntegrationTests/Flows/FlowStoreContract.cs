using Settlement.Service.Flows;

namespace Settlement.Service.IntegrationTests.Flows;

/// <summary>
/// What every <see cref="IFlowStore"/> must do: insert once, optimistic concurrency, append-only transitions enforced
/// by the database (<c>FlowStoreContract.Triggers.cs</c>), filters. Run against each backend by a sealed subclass (a new
/// store instance per call: a restart). This file is also compiled into <c>tests/Settlement.Tests</c> and run over the
/// in-memory store there; the trigger tests need SQL and stay here.
/// </summary>
public abstract partial class FlowStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A new store instance on this test's database.</summary>
    protected abstract IFlowStore Store();

    /// <summary>Runs raw SQL on this test's database (to try what the store never does).</summary>
    protected abstract Task ExecuteRawAsync(string sql);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    private static StoredFlow Flow(Guid id, string state = "Created", bool finished = false, long version = 1, FlowKind kind = FlowKind.Topup) =>
        new(id, kind, state, finished, "{}", version, T0, T0.AddMinutes(version));

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
    public async Task TryInsert_VersionOtherThanOne_RefusedAndNothingStored()
    {
        var id = Guid.NewGuid();

        var e = await Should.ThrowAsync<ArgumentException>(() => Store().TryInsertAsync(Flow(id, version: 2), "created"));

        e.ParamName.ShouldBe("flow");
        e.Message.ShouldStartWith("A new flow has version 1, not 2.");
        (await Store().GetAsync(id)).ShouldBeNull();
        (await Store().GetTransitionsAsync(id)).ShouldBeEmpty();
    }

    [Fact]
    public async Task TryInsertAndTryUpdate_NoEvent_Refused()
    {
        var id = Guid.NewGuid();

        (await Should.ThrowAsync<ArgumentException>(() => Store().TryInsertAsync(Flow(id), ""))).ParamName.ShouldBe("@event");
        (await Store().GetAsync(id)).ShouldBeNull();
        (await Store().TryInsertAsync(Flow(id), "created")).ShouldBeTrue();
        (await Should.ThrowAsync<ArgumentException>(() => Store().TryUpdateAsync(Flow(id, "Next", version: 2), "", null))).ParamName.ShouldBe("@event");
        (await Store().GetAsync(id)).ShouldBe(Flow(id));
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
}
