using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payee.Refunds;

public sealed class RefundIssueTests : IDisposable
{
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    private RefundRequest Request(BigInteger amount, string id = "session-1", ChannelKey? key = null) => new(key ?? _world.Key, amount, id);

    [Fact]
    public async Task IssueRefundAsync_First_SignsPayeeVoucherForTheAmountStoredBeforeTheAnswer()
    {
        await using var engine = await _world.StartEngineAsync();
        IssuedRefund? raised = null;
        engine.RefundIssued += (_, r) => raised = r;

        var outcome = await engine.IssueRefundAsync(Request(300));

        var issued = outcome.ShouldBeOfType<RefundIssued>();
        issued.Repeated.ShouldBeFalse();
        var refund = issued.Refund;
        refund.Key.ShouldBe(_world.Key);
        refund.Previous.ShouldBe(BigInteger.Zero);
        refund.Cumulative.ShouldBe(new BigInteger(300));
        refund.IssuedAt.ShouldBe(_world.Clock.GetUtcNow());

        // The payee's key, in the contract's domain, over the same Voucher type the payer signs: the contract pays it to the payer.
        var voucher = refund.ToSignedVoucher();
        voucher.Voucher.TryRecoverSigner(new ChannelDomain(PayeeWorld.ChainId, PayeeWorld.Contract), voucher.Signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(_world.Payee.Address);
        _world.Store.Refunds.ShouldBe([refund]);
        engine.GetNewestRefund(_world.Key).ShouldBe(refund);
        raised.ShouldBe(refund);
    }

    [Fact]
    public async Task IssueRefundAsync_Second_CumulativeGoesUpFromTheNewest()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.IssueRefundAsync(Request(300, "a"));

        var second = (await engine.IssueRefundAsync(Request(200, "b"))).ShouldBeOfType<RefundIssued>().Refund;

        second.Previous.ShouldBe(new BigInteger(300));
        second.Cumulative.ShouldBe(new BigInteger(500));
        second.Amount.ShouldBe(new BigInteger(200));
        _world.Store.Refunds.Select(r => r.Cumulative).ShouldBe([300, 500]);
        (await _world.Store.GetNewestRefundAsync(_world.Key)).ShouldBe(second);
    }

    [Fact]
    public async Task IssueRefundAsync_RepeatedSameKeyAndAmount_SameVoucherNoSecondIncrement()
    {
        await using var engine = await _world.StartEngineAsync();
        var first = (await engine.IssueRefundAsync(Request(300))).ShouldBeOfType<RefundIssued>().Refund;
        var raised = 0;
        engine.RefundIssued += (_, _) => raised++;

        var again = (await engine.IssueRefundAsync(Request(300))).ShouldBeOfType<RefundIssued>();

        again.Repeated.ShouldBeTrue();
        again.Refund.ShouldBe(first);
        again.Refund.Signature.ShouldBe(first.Signature);
        _world.Store.Refunds.Count.ShouldBe(1);
        raised.ShouldBe(0);
    }

    [Fact]
    public async Task IssueRefundAsync_RepeatOfASupersededRequest_ReturnsItsOwnVoucherNotAnIncrement()
    {
        await using var engine = await _world.StartEngineAsync();
        var a = (await engine.IssueRefundAsync(Request(300, "a"))).ShouldBeOfType<RefundIssued>().Refund;
        await engine.IssueRefundAsync(Request(200, "b"));

        var again = (await engine.IssueRefundAsync(Request(300, "a"))).ShouldBeOfType<RefundIssued>();

        again.Repeated.ShouldBeTrue();
        again.Refund.ShouldBe(a);
        _world.Store.Refunds.Count.ShouldBe(2);
        engine.GetNewestRefund(_world.Key)!.Cumulative.ShouldBe(new BigInteger(500));
    }

    [Fact]
    public async Task IssueRefundAsync_SameKeyOtherAmount_RefusedIdempotencyConflictStoreUnchanged()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.IssueRefundAsync(Request(300));

        (await engine.IssueRefundAsync(Request(301))).ShouldBe(new RefundRefused(RefundRefusal.IdempotencyConflict, 300));

        _world.Store.Refunds.Count.ShouldBe(1);
    }

    [Fact]
    public async Task IssueRefundAsync_SameKeyOnAnotherChannel_IsAnotherRequest()
    {
        await using var engine = await _world.StartEngineAsync();
        var otherParameters = _world.Parameters with { Nonce = 2 };
        var other = new ChannelKey(PayeeWorld.ChainId, PayeeWorld.Contract, otherParameters.Id);
        _world.Source.Set(new PayeeChannelView(other, otherParameters, 1_000_000, 0, 500_000, 0, 0, false));
        await engine.IssueRefundAsync(Request(300));

        var there = (await engine.IssueRefundAsync(Request(300, key: other))).ShouldBeOfType<RefundIssued>();

        there.Repeated.ShouldBeFalse();
        there.Refund.Key.ShouldBe(other);
        there.Refund.ToSignedVoucher().Voucher.ChannelId.ShouldBe(other.ChannelId);
        _world.Store.Refunds.Count.ShouldBe(2);
    }

    [Fact]
    public async Task IssueRefundAsync_AbovePayeeDeposit_RefusedNothingStoredOrRaised()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.IssueRefundAsync(Request(400_000, "a"));
        var raised = 0;
        engine.RefundIssued += (_, _) => raised++;

        (await engine.IssueRefundAsync(Request(100_001, "b"))).ShouldBe(new RefundRefused(RefundRefusal.ExceedsPayeeDeposit, 400_000));

        _world.Store.Refunds.Count.ShouldBe(1);
        engine.GetNewestRefund(_world.Key)!.Cumulative.ShouldBe(new BigInteger(400_000));
        raised.ShouldBe(0);
        (await engine.IssueRefundAsync(Request(100_000, "c"))).ShouldBeOfType<RefundIssued>().Refund.Cumulative.ShouldBe(new BigInteger(500_000));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task IssueRefundAsync_NotPositive_RefusedZero(int amount)
    {
        await using var engine = await _world.StartEngineAsync();

        (await engine.IssueRefundAsync(Request(amount))).ShouldBe(new RefundRefused(RefundRefusal.Zero, 0));

        _world.Store.Refunds.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IssueRefundAsync_ClosingOrSettled_RefusedNotOpen(bool settled)
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.TrackAsync(_world.Key);
        await engine.ApplyViewAsync(new Channels.Payee.Storage.StoredChannel(_world.View(closeDeadline: settled ? 0UL : 99, settled: settled), 5));

        (await engine.IssueRefundAsync(Request(300))).ShouldBe(new RefundRefused(RefundRefusal.NotOpen, 0));

        _world.Store.Refunds.ShouldBeEmpty();
    }

    [Fact]
    public async Task IssueRefundAsync_UnknownChannelOrOtherDeployment_RefusedUnknownChannel()
    {
        await using var engine = await _world.StartEngineAsync(withView: false);

        (await engine.IssueRefundAsync(Request(300))).ShouldBe(new RefundRefused(RefundRefusal.UnknownChannel, 0));
        (await engine.IssueRefundAsync(Request(300, key: _world.Key with { Contract = PayeeWorld.OtherContract })))
            .ShouldBe(new RefundRefused(RefundRefusal.UnknownChannel, 0));
        (await engine.IssueRefundAsync(Request(300, key: _world.Key with { ChainId = 1 }))).ShouldBe(new RefundRefused(RefundRefusal.UnknownChannel, 0));

        _world.Store.Refunds.ShouldBeEmpty();
    }

    [Fact]
    public async Task IssueRefundAsync_NoPayeeKey_RefusedNotPayee()
    {
        await using var engine = await _world.StartEngineAsync(receipts: false);

        (await engine.IssueRefundAsync(Request(300))).ShouldBe(new RefundRefused(RefundRefusal.NotPayee, 0));

        _world.Store.Refunds.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("ünicode")]
    public async Task IssueRefundAsync_BadIdempotencyKey_Refused(string id)
    {
        await using var engine = await _world.StartEngineAsync();

        (await engine.IssueRefundAsync(Request(300, id))).ShouldBe(new RefundRefused(RefundRefusal.BadIdempotencyKey, 0));
        (await engine.IssueRefundAsync(Request(300, new string('k', RefundRequest.MaxIdempotencyKeyLength + 1))))
            .ShouldBe(new RefundRefused(RefundRefusal.BadIdempotencyKey, 0));

        _world.Store.Refunds.ShouldBeEmpty();
    }

    [Fact]
    public async Task IssueRefundAsync_WhileACloseAgreementIsLive_RefusedCloseAgreed()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        await engine.AgreeCloseAsync(_world.Key);

        (await engine.IssueRefundAsync(Request(300))).ShouldBe(new RefundRefused(RefundRefusal.CloseAgreed, 0));

        _world.Store.Refunds.ShouldBeEmpty();
    }

    [Fact]
    public async Task AgreeCloseAsync_AfterARefund_PayeeToPayerIsTheNewestRefund()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        await engine.IssueRefundAsync(Request(120, "a"));
        await engine.IssueRefundAsync(Request(80, "b"));

        var agreement = (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>().Agreement;

        agreement.PayerToPayee.ShouldBe(new BigInteger(500));
        agreement.PayeeToPayer.ShouldBe(new BigInteger(200));
        var state = new CooperativeCloseState(_world.Key.ChannelId, 500, 200, agreement.Deadline);
        EcdsaSignature.TryParseRsv(agreement.Signature, out var signature).ShouldBeTrue();
        state.TryRecoverSigner(new ChannelDomain(PayeeWorld.ChainId, PayeeWorld.Contract), signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(_world.Payee.Address);
    }

    [Fact]
    public async Task AgreeCloseAsync_RefundOnlyNoVoucher_SignsTheRefund()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.IssueRefundAsync(Request(50));

        var agreement = (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>().Agreement;

        (agreement.PayerToPayee, agreement.PayeeToPayer).ShouldBe((BigInteger.Zero, new BigInteger(50)));
    }

    [Fact]
    public async Task StartAsync_AfterRestart_NewestRefundLoadedAndExtended()
    {
        await using (var first = await _world.StartEngineAsync())
        {
            await first.IssueRefundAsync(Request(300, "a"));
        }

        await using var engine = await _world.StartEngineAsync();

        engine.GetNewestRefund(_world.Key)!.Cumulative.ShouldBe(new BigInteger(300));
        (await engine.IssueRefundAsync(Request(100, "b"))).ShouldBeOfType<RefundIssued>().Refund.Cumulative.ShouldBe(new BigInteger(400));
        (await engine.IssueRefundAsync(Request(300, "a"))).ShouldBeOfType<RefundIssued>().Repeated.ShouldBeTrue();
    }

    [Fact]
    public async Task IssueRefundAsync_AnotherInstanceExtendedTheRefundFirst_RefusedConflictThenNextOneExtendsTheirs()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.IssueRefundAsync(Request(300, "a"));

        // Another instance on the same database issues the next refund; this engine still holds 300 as the newest.
        var signature = _world.TypedData.SignVoucher(_world.Payee, _world.Key.ChannelId.Bytes, 350).ToRsv();
        (await _world.Store.SaveRefundAsync(new IssuedRefund(_world.Key, "elsewhere", 300, 350, signature, _world.Clock.GetUtcNow()))).ShouldBeTrue();

        (await engine.IssueRefundAsync(Request(100, "b"))).ShouldBe(new RefundRefused(RefundRefusal.Conflict, 350));
        _world.Store.Refunds.Count.ShouldBe(2);

        (await engine.IssueRefundAsync(Request(100, "b"))).ShouldBeOfType<RefundIssued>().Refund.Cumulative.ShouldBe(new BigInteger(450));
    }

    [Fact]
    public async Task IssueRefundAsync_StoreFails_NothingRaisedAndAgreementsNotBlocked()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        _world.Store.FailNextRefund = new IOException("disk full");
        var raised = 0;
        engine.RefundIssued += (_, _) => raised++;

        await Should.ThrowAsync<IOException>(() => engine.IssueRefundAsync(Request(300)));

        raised.ShouldBe(0);
        engine.GetNewestRefund(_world.Key).ShouldBeNull();
        (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>().Agreement.PayeeToPayer.ShouldBe(BigInteger.Zero);
    }
}
