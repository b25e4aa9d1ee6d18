using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payee;

public sealed class CloseAgreementTests : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(2);
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    private ulong Now => (ulong)_world.Clock.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public async Task AgreeCloseAsync_AfterVouchers_SignsNewestAmountStoredBeforeTheAnswer()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var deadline = Now + (ulong)Validity.TotalSeconds;

        var outcome = await engine.AgreeCloseAsync(_world.Key);

        var signed = outcome.ShouldBeOfType<CloseAgreementSigned>();
        signed.Repeated.ShouldBeFalse();
        var agreement = signed.Agreement;
        agreement.Key.ShouldBe(_world.Key);
        agreement.PayerToPayee.ShouldBe(new BigInteger(500));
        agreement.PayeeToPayer.ShouldBe(BigInteger.Zero);
        agreement.Deadline.ShouldBe(deadline);
        var state = new CooperativeCloseState(_world.Key.ChannelId, 500, 0, deadline);
        EcdsaSignature.TryParseRsv(agreement.Signature, out var signature).ShouldBeTrue();
        state.TryRecoverSigner(new ChannelDomain(PayeeWorld.ChainId, PayeeWorld.Contract), signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(_world.Payee.Address);
        (await _world.Store.ListCloseAgreementsAsync()).ShouldBe([agreement]);
        engine.GetCloseAgreement(_world.Key).ShouldBe(agreement);
    }

    [Fact]
    public async Task SubmitAsync_AboveAgreedAmount_RefusedCloseAgreedUntilDeadlinePlusMarginThenAccepted()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var agreement = ((CloseAgreementSigned)await engine.AgreeCloseAsync(_world.Key)).Agreement;
        var batches = _world.Store.Batches;

        foreach (var at in new[] { agreement.Deadline, agreement.Deadline + (ulong)Margin.TotalSeconds })
        {
            _world.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)at));
            (await engine.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherRejected(VoucherRejectCode.CloseAgreed, 500));
            (await engine.SubmitAsync(_world.Voucher(501))).ShouldBe(new VoucherRejected(VoucherRejectCode.CloseAgreed, 500));
        }

        _world.Store.Batches.ShouldBe(batches);
        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(new BigInteger(500));
        engine.GetCredit(_world.Key)!.Paid.ShouldBe(new BigInteger(500));

        _world.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)(agreement.Deadline + (ulong)Margin.TotalSeconds + 1)));
        (await engine.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherAccepted(600, 100));
        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(new BigInteger(600));
    }

    [Fact]
    public async Task SubmitAsync_AtOrBelowAgreedAmountWhileLive_DuplicateOrStaleAsBefore()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(400));
        await engine.SubmitAsync(_world.Voucher(500));
        await engine.AgreeCloseAsync(_world.Key);

        (await engine.SubmitAsync(_world.Voucher(500))).ShouldBe(new VoucherDuplicate(500));
        (await engine.SubmitAsync(_world.Voucher(400))).ShouldBe(new VoucherRejected(VoucherRejectCode.Stale, 500));
    }

    [Fact]
    public async Task AgreeCloseAsync_Repeated_SameAgreementAndNothingWritten()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var first = ((CloseAgreementSigned)await engine.AgreeCloseAsync(_world.Key)).Agreement;
        _world.Clock.Advance(TimeSpan.FromMinutes(5));

        var second = (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>();

        second.Repeated.ShouldBeTrue();
        second.Agreement.ShouldBeSameAs(first);
        (await _world.Store.ListCloseAgreementsAsync()).ShouldBe([first]);
    }

    [Fact]
    public async Task AgreeCloseAsync_StateChangedWhileLive_AgreementPendingUntilExpiredThenNewAgreement()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        var first = ((CloseAgreementSigned)await engine.AgreeCloseAsync(_world.Key)).Agreement;

        // The payer redeemed a payee → payer amount on chain: the agreed state is no longer the newest.
        var view = _world.View() with { RedeemedByPayer = 7 };
        await engine.ApplyViewAsync(new StoredChannel(view, 2));

        (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.AgreementPending));
        (await _world.Store.ListCloseAgreementsAsync()).ShouldBe([first]);

        _world.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)(first.Deadline + (ulong)Margin.TotalSeconds + 1)));
        await engine.SubmitAsync(_world.Voucher(600));
        var second = (await engine.AgreeCloseAsync(_world.Key)).ShouldBeOfType<CloseAgreementSigned>();
        second.Repeated.ShouldBeFalse();
        second.Agreement.PayerToPayee.ShouldBe(new BigInteger(600));
        second.Agreement.PayeeToPayer.ShouldBe(new BigInteger(7));
        second.Agreement.Deadline.ShouldBe(Now + (ulong)Validity.TotalSeconds);
        (await _world.Store.ListCloseAgreementsAsync()).ShouldBe([second.Agreement]);
    }

    [Fact]
    public async Task AgreeCloseAsync_Refusals_ExactReasonAndNothingStored()
    {
        await using var engine = await _world.StartEngineAsync();
        var other = new ChannelKey(PayeeWorld.ChainId, PayeeWorld.Contract, ChannelId.FromBytes(Enumerable.Repeat((byte)0x77, 32).ToArray()));
        var otherContract = new ChannelKey(PayeeWorld.ChainId, PayeeWorld.OtherContract, _world.Key.ChannelId);

        (await engine.AgreeCloseAsync(other)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.UnknownChannel));
        (await engine.AgreeCloseAsync(otherContract)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.UnknownChannel));
        (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.NothingToClose));

        await engine.SubmitAsync(_world.Voucher(500));
        await engine.ApplyViewAsync(new StoredChannel(_world.View(closeDeadline: Now + 3600), 2));
        (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.ChannelClosing));
        await engine.ApplyViewAsync(new StoredChannel(_world.View(closeDeadline: Now + 3600, settled: true), 3));
        (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.ChannelSettled));

        (await _world.Store.ListCloseAgreementsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task AgreeCloseAsync_NoPayeeKey_NotPayee()
    {
        await using var engine = await _world.StartEngineAsync(receipts: false);
        await engine.SubmitAsync(_world.Voucher(500));

        (await engine.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementRefused(CloseAgreementRefusal.NotPayee));
        (await engine.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherAccepted(600, 100));
    }

    [Fact]
    public async Task AgreeCloseAsync_StoreFails_ThrowsAndTheRuleIsNotHeld()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(500));
        _world.Store.FailNextAgreement = new IOException("disk full");

        await Should.ThrowAsync<IOException>(() => engine.AgreeCloseAsync(_world.Key));

        engine.GetCloseAgreement(_world.Key).ShouldBeNull();
        (await _world.Store.ListCloseAgreementsAsync()).ShouldBeEmpty();
        (await engine.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherAccepted(600, 100));
    }

    [Fact]
    public async Task StartAsync_AfterRestart_LiveAgreementStillRefusesHigherVouchers()
    {
        CloseAgreement agreement;
        await using (var first = await _world.StartEngineAsync())
        {
            await first.SubmitAsync(_world.Voucher(500));
            agreement = ((CloseAgreementSigned)await first.AgreeCloseAsync(_world.Key)).Agreement;
        }

        await using var restarted = await _world.StartEngineAsync();

        restarted.GetCloseAgreement(_world.Key).ShouldBe(agreement);
        (await restarted.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherRejected(VoucherRejectCode.CloseAgreed, 500));
        (await restarted.AgreeCloseAsync(_world.Key)).ShouldBe(new CloseAgreementSigned(agreement, Repeated: true));
        _world.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)(agreement.Deadline + (ulong)Margin.TotalSeconds + 1)));
        (await restarted.SubmitAsync(_world.Voucher(600))).ShouldBe(new VoucherAccepted(600, 100));
    }

    [Fact]
    public void Options_ZeroValidityOrNegativeMargin_NamesTheSetting()
    {
        var options = _world.Options(o =>
        {
            o.CloseAgreementValidity = TimeSpan.Zero;
            o.CloseAgreementSkewMargin = TimeSpan.FromSeconds(-1);
        });

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        errors.ShouldContain("Payee:CloseAgreementValidity must be at least 1 second.");
        errors.ShouldContain("Payee:CloseAgreementSkewMargin must not be negative.");
    }
}
