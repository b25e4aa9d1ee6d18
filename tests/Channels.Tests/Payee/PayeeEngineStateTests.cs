using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payee;

/// <summary>
/// The engine's in-memory state around writes in flight, failed writes, other instances and the unknown-channel cache
/// (from the <c>payee</c> mutation run: each test fails with one surviving mutant applied).
/// </summary>
public sealed class PayeeEngineStateTests : IDisposable
{
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    private RefundRequest Refund(BigInteger amount, string id) => new(_world.Key, amount, id);

    [Fact]
    public async Task Getters_ChannelNotHeld_Null()
    {
        await using var engine = await _world.StartEngineAsync();

        engine.GetView(_world.Key).ShouldBeNull();
        engine.GetAcceptedCount(_world.Key).ShouldBeNull();
        engine.GetCredit(_world.Key).ShouldBeNull();
        engine.GetNewestRefund(_world.Key).ShouldBeNull();
        engine.GetCloseAgreement(_world.Key).ShouldBeNull();
        engine.ChannelCount.ShouldBe(0);
    }

    [Fact]
    public async Task GetAcceptedCount_CountsAppliedVouchersOnly()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.TrackAsync(_world.Key);
        engine.GetAcceptedCount(_world.Key).ShouldBe(0);

        (await engine.SubmitAsync(_world.Voucher(10))).ShouldBeOfType<VoucherAccepted>();
        (await engine.SubmitAsync(_world.Voucher(20))).ShouldBeOfType<VoucherAccepted>();
        (await engine.SubmitAsync(_world.Voucher(20))).ShouldBe(new VoucherDuplicate(20));
        (await engine.SubmitAsync(_world.Voucher(15))).ShouldBe(new VoucherRejected(VoucherRejectCode.Stale, 20));

        engine.GetAcceptedCount(_world.Key).ShouldBe(2);
        engine.GetView(_world.Key).ShouldBe(_world.View());
    }

    [Fact]
    public async Task NotStarted_EveryWritingCallThrowsNamingIt()
    {
        await using var engine = new PayeeEngine(Microsoft.Extensions.Options.Options.Create(_world.Options()), _world.Store, _world.Source, _world.Clock);
        const string Message = "The payee engine was not started.";

        (await Should.ThrowAsync<InvalidOperationException>(async () => await engine.SubmitAsync(_world.Voucher(1)))).Message.ShouldBe(Message);
        (await Should.ThrowAsync<InvalidOperationException>(() => engine.AgreeCloseAsync(_world.Key))).Message.ShouldBe(Message);
        (await Should.ThrowAsync<InvalidOperationException>(() => engine.IssueRefundAsync(Refund(1, "a")))).Message.ShouldBe(Message);
        _world.Source.Lookups.ShouldBe(0);
    }

    [Fact]
    public async Task Stopped_AgreementAndRefundRefusedUnavailableNothingStored()
    {
        var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        await engine.StopAsync();

        (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.Unavailable));
        (await engine.IssueRefundAsync(Refund(100, "a"))).ShouldBe(new RefundRefused(RefundRefusal.Unavailable, 0));

        (await _world.Store.ListCloseAgreementsAsync()).ShouldBeEmpty();
        _world.Store.Refunds.ShouldBeEmpty();
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task StartAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var engine = await _world.StartEngineAsync();
        await engine.DisposeAsync();

        await Should.ThrowAsync<ObjectDisposedException>(() => engine.StartAsync());
    }

    [Fact]
    public async Task IssueRefundAsync_NullRequest_ThrowsArgumentNull()
    {
        await using var engine = await _world.StartEngineAsync();

        (await Should.ThrowAsync<ArgumentNullException>(() => engine.IssueRefundAsync(null!))).ParamName.ShouldBe("request");
    }

    [Fact]
    public async Task AgreeCloseAsync_WhileAHigherVoucherIsWritten_WriteInFlightThenSignsIt()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _world.Store.Gate = gate;
            var writing = engine.SubmitAsync(_world.Voucher(600)).AsTask();

            (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.WriteInFlight));
            (await _world.Store.ListCloseAgreementsAsync()).ShouldBeEmpty();

            _world.Store.Gate = null;
            gate.TrySetResult();
            (await writing).ShouldBe(new VoucherAccepted(600, 100));
            (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>().Agreement.PayerToPayee.ShouldBe(new BigInteger(600));
        }
        finally
        {
            // Released also when an assertion failed: the engine's disposal waits for the held write.
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task AgreeCloseAsync_WhileARefundIsWritten_WriteInFlightThenSignsIt()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _world.Store.RefundGate = gate;
            var refunding = engine.IssueRefundAsync(Refund(100, "a"));

            (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.WriteInFlight));
            (await _world.Store.ListCloseAgreementsAsync()).ShouldBeEmpty();

            _world.Store.RefundGate = null;
            gate.TrySetResult();
            (await refunding).ShouldBeOfType<RefundIssued>().Refund.Cumulative.ShouldBe(new BigInteger(100));
            var agreement = (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>().Agreement;
            agreement.PayerToPayee.ShouldBe(new BigInteger(500));
            agreement.PayeeToPayer.ShouldBe(new BigInteger(100));
        }
        finally
        {
            // Released also when an assertion failed: the engine's disposal waits for the held write.
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task AgreeCloseAsync_WhileTheAgreementIsWritten_NotReadableAndAskingAgainIsWriteInFlight()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _world.Store.AgreementGate = gate;
            var agreeing = engine.AgreeCloseAsync(_world.Key);

            engine.GetCloseAgreement(_world.Key).ShouldBeNull();
            (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.WriteInFlight));
            (await engine.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherRejected(VoucherRejectCode.CloseAgreed, 500));

            _world.Store.AgreementGate = null;
            gate.TrySetResult();
            var signed = (await agreeing).ShouldBeOfType<CloseAgreementSigned>();
            signed.Repeated.ShouldBeFalse();
            engine.GetCloseAgreement(_world.Key).ShouldBe(signed.Agreement);
            (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementSigned(signed.Agreement, Repeated: true));
        }
        finally
        {
            // Released also when an assertion failed: the engine's disposal waits for the held write.
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task AgreeCloseAsync_StoreFailsForASecondAgreement_TheExpiredFirstStaysReadable()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var first = ((CloseAgreementSigned)await engine.AgreeCloseAsync(_world.Key)).Agreement;
        _world.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)first.Deadline) + new PayeeOptions().CloseAgreementSkewMargin + TimeSpan.FromSeconds(1));
        (await engine.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherAccepted(600, 100));
        _world.Store.FailNextAgreement = new IOException("disk full");

        await Should.ThrowAsync<IOException>(() => engine.AgreeCloseAsync(_world.Key));

        engine.GetCloseAgreement(_world.Key).ShouldBe(first);
        (await _world.Store.ListCloseAgreementsAsync()).ShouldBe([first]);
        (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>().Agreement.PayerToPayee.ShouldBe(new BigInteger(600));
    }

    [Fact]
    public async Task IssueRefundAsync_AnotherInstanceIssuedTheSameRequestMeanwhile_ItsRefundRepeated()
    {
        await using var engine = await _world.StartEngineAsync();
        await using var other = await _world.StartEngineAsync();
        IssuedRefund? theirs = null;
        _world.Store.BeforeNextRefund = async () => theirs = ((RefundIssued)await other.IssueRefundAsync(Refund(300, "r"))).Refund;
        var raised = 0;
        engine.RefundIssued += (_, _) => raised++;

        var outcome = await engine.IssueRefundAsync(Refund(300, "r"));

        theirs.ShouldNotBeNull();
        outcome.ShouldBe(new RefundIssued(theirs, Repeated: true));
        _world.Store.Refunds.ShouldBe([theirs]);
        engine.GetNewestRefund(_world.Key).ShouldBe(theirs);
        raised.ShouldBe(0);
    }

    [Fact]
    public async Task IssueRefundAsync_AnotherInstanceUsedTheKeyForAnotherAmountMeanwhile_IdempotencyConflictNamingTheirs()
    {
        await using var engine = await _world.StartEngineAsync();
        await using var other = await _world.StartEngineAsync();
        IssuedRefund? theirs = null;
        _world.Store.BeforeNextRefund = async () => theirs = ((RefundIssued)await other.IssueRefundAsync(Refund(300, "r"))).Refund;

        var outcome = await engine.IssueRefundAsync(Refund(200, "r"));

        outcome.ShouldBe(new RefundRefused(RefundRefusal.IdempotencyConflict, 300));
        _world.Store.Refunds.ShouldBe([theirs!]);
        engine.GetNewestRefund(_world.Key).ShouldBe(theirs);
    }

    [Fact]
    public async Task IssueRefundAsync_ChannelFirstSeenAfterAnotherInstanceRefunded_ExtendsTheStoredRefund()
    {
        await using var engine = await _world.StartEngineAsync();
        await using var other = await _world.StartEngineAsync();
        var theirs = ((RefundIssued)await other.IssueRefundAsync(Refund(300, "a"))).Refund;

        var mine = (await engine.IssueRefundAsync(Refund(200, "b"))).ShouldBeOfType<RefundIssued>().Refund;

        mine.Previous.ShouldBe(new BigInteger(300));
        mine.Cumulative.ShouldBe(new BigInteger(500));
        _world.Store.Refunds.ShouldBe([theirs, mine]);
    }

    [Fact]
    public async Task ApplyViewAsync_OpenChannelTopUp_KeepsTheChannelRateWindow()
    {
        await using var engine = await _world.StartEngineAsync(o =>
        {
            o.Velocity.ChannelPaymentsPerSecondFlag = 2;
            o.Velocity.ChannelPaymentsPerSecondRefuse = 2;
        });
        (await engine.SubmitAsync(_world.Voucher(1))).ShouldBeOfType<VoucherAccepted>();
        (await engine.SubmitAsync(_world.Voucher(2))).ShouldBeOfType<VoucherAccepted>();
        (await engine.SubmitAsync(_world.Voucher(3))).ShouldBe(new VoucherRejected(VoucherRejectCode.VelocityLimit, 2));

        await engine.ApplyViewAsync(new StoredChannel(_world.View(deposit: PayeeWorld.Deposit * 2), 5));

        (await engine.SubmitAsync(_world.Voucher(3))).ShouldBe(new VoucherRejected(VoucherRejectCode.VelocityLimit, 2));
    }

    [Fact]
    public async Task TrackAsync_UnknownChannelCache_KeepsUpToItsBoundThenStartsAfresh()
    {
        await using var engine = await _world.StartEngineAsync(withView: false);
        static ChannelKey Unknown(int i)
        {
            var bytes = new byte[32];
            BitConverter.TryWriteBytes(bytes, i).ShouldBeTrue();
            bytes[31] = 0xee;
            return new ChannelKey(PayeeWorld.ChainId, PayeeWorld.Contract, ChannelId.FromBytes(bytes));
        }

        // 100 001 unknown channels are remembered: the 100 001st is added to 100 000 without clearing them.
        for (var i = 0; i <= 100_000; i++)
        {
            (await engine.TrackAsync(Unknown(i))).ShouldBeFalse();
        }

        _world.Source.Lookups.ShouldBe(100_001);
        (await engine.TrackAsync(Unknown(0))).ShouldBeFalse();
        _world.Source.Lookups.ShouldBe(100_001);

        // One more (the cache holds more than 100 000): it is cleared, so the first is asked again.
        (await engine.TrackAsync(Unknown(100_001))).ShouldBeFalse();
        (await engine.TrackAsync(Unknown(0))).ShouldBeFalse();
        _world.Source.Lookups.ShouldBe(100_003);
    }
}
