using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Tests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>
/// Delegations are untrusted input: every refusal names its exact reason and leaves the held voucher (and the store)
/// unchanged; the boundaries of each check are pinned. (The Anvil tests check the same rules against a real contract.)
/// </summary>
public sealed class DelegationIntakeTests : IDisposable
{
    private static readonly BigInteger N = BigInteger.Parse(
        "115792089237316195423570985008687907852837564279074904382605163141518161494337", CultureInfo.InvariantCulture);

    private readonly PrivateKey _payerKey = PrivateKey.ParseHex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    private readonly PrivateKey _payeeKey = PrivateKey.ParseHex("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    private readonly InMemoryWatchtowerStore _store = new();
    private readonly FakeWatchtowerChain _chain;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly DelegationIntake _intake;
    private readonly MeterRecorder<WatchtowerMetrics> _meter = WatchtowerMeterAssertions.Record();
    private readonly CapturingLogger<DelegationIntake> _log = new();
    private readonly ChannelParameters _channel;

    public DelegationIntakeTests()
    {
        _chain = new FakeWatchtowerChain(_store);
        _chain.MineTo(10);
        _intake = new DelegationIntake(_store, _chain, _time, _meter.Metrics, _log);
        _channel = new ChannelParameters(_payerKey.Address, _payeeKey.Address, Address.Zero, 3600, 7);
        _chain.States[_channel.Id] = new ChannelState(true, 1000, 100, 0, 0, 0);
    }

    public void Dispose()
    {
        _payerKey.Dispose();
        _payeeKey.Dispose();
        _meter.Dispose();
    }

    private ChannelDomain Domain => new(_chain.ChainId, _chain.Contract);

    private DelegationRequest Request(BigInteger amount, PrivateKey? signer = null, ChannelParameters? channel = null, ChannelDomain? domain = null)
    {
        var c = channel ?? _channel;
        var signature = new Voucher(c.Id, amount).Sign(signer ?? _payerKey, domain ?? Domain);
        return new DelegationRequest(_chain.ChainId, _chain.Contract, c, c.Id, amount, signature.ToRsv());
    }

    private static byte[] HighS(byte[] rsv)
    {
        var copy = (byte[])rsv.Clone();
        var s = new BigInteger(copy.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var high = (N - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(copy, 32, 32);
        high.CopyTo(copy, 64 - high.Length);
        copy[64] = (byte)(copy[64] == 27 ? 28 : 27);
        return copy;
    }

    [Fact]
    public async Task Accepted_HeldWithItsSignatureAndTime_NoCloseDeadlineWhileOpen()
    {
        var accepted = (await _intake.SubmitAsync(Request(600))).ShouldBeOfType<DelegationAccepted>();

        var held = (await _store.GetDelegationAsync(_channel.Id)).ShouldNotBeNull();
        accepted.Delegation.ShouldBe(held);
        held.Amount.ShouldBe(new BigInteger(600));
        held.Channel.ShouldBe(_channel);
        held.ReceivedAt.ShouldBe(_time.GetUtcNow());
        held.CloseDeadline.ShouldBeNull();
        held.Finished.ShouldBeFalse();
        held.Voucher.Voucher.TryRecoverSigner(Domain, held.Voucher.Signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(_payerKey.Address);
        _meter.ShouldCount("watchtower.delegations.accepted", "delegationsAccepted", 1);
        _meter.ShouldCount("watchtower.delegations.refused", "delegationsRefused", 0);
    }

    [Fact]
    public async Task EachBadRequest_RefusedWithExactReason_HeldVoucherUnchanged()
    {
        (await _intake.SubmitAsync(Request(600))).ShouldBeOfType<DelegationAccepted>();
        var held = await _store.GetDelegationAsync(_channel.Id);
        var good = Request(700);
        var unknown = _channel with { Nonce = 8 };
        var otherAddress = Address.Parse("0x00000000000000000000000000000000000000aa");
        var otherContract = new ChannelDomain(_chain.ChainId, otherAddress);
        var cases = new (DelegationRequest Request, DelegationRefusal Reason)[]
        {
            (good with { ChainId = 1 }, DelegationRefusal.WrongChain),
            (good with { Contract = otherAddress }, DelegationRefusal.WrongContract),
            (good with { Channel = unknown }, DelegationRefusal.ChannelMismatch),
            (good with { Signature = new byte[64] }, DelegationRefusal.MalformedSignature),
            (good with { Signature = new byte[66] }, DelegationRefusal.MalformedSignature),
            (good with { Signature = HighS(good.Signature.ToArray()) }, DelegationRefusal.HighS),
            (good with { CumulativeAmount = 0 }, DelegationRefusal.ExceedsDeposit),
            (good with { CumulativeAmount = -5 }, DelegationRefusal.ExceedsDeposit),
            (good with { CumulativeAmount = VoucherVerifier.MaxAmount + 1 }, DelegationRefusal.ExceedsDeposit),
            (Request(700, signer: _payeeKey), DelegationRefusal.WrongSigner),
            (Request(700, domain: otherContract), DelegationRefusal.WrongSigner),
            (good with { CumulativeAmount = 701 }, DelegationRefusal.WrongSigner),
            (Request(599), DelegationRefusal.NotNewer),
            (Request(1001), DelegationRefusal.ExceedsDeposit),
            (Request(10, channel: unknown), DelegationRefusal.UnknownChannel),
        };

        foreach (var (request, reason) in cases)
        {
            var refused = (await _intake.SubmitAsync(request)).ShouldBeOfType<DelegationRefused>(customMessage: reason.ToString());
            refused.Reason.ShouldBe(reason);
            refused.Detail.ShouldNotBeNullOrWhiteSpace();
            (await _store.GetDelegationAsync(_channel.Id)).ShouldBe(held);
        }

        (await _store.GetDelegationAsync(unknown.Id)).ShouldBeNull();
        _meter.Metrics.Snapshot()["delegationsRefused"].ShouldBe(cases.Length);
        _meter.ShouldCount("watchtower.delegations.accepted", "delegationsAccepted", 1);
        foreach (var group in cases.GroupBy(c => c.Reason))
        {
            _meter.Total($"watchtower.delegations.refused/reason={group.Key}").ShouldBe(group.Count(), group.Key.ToString());
        }

        _meter.Keys.Count(k => k.StartsWith("watchtower.delegations.refused", StringComparison.Ordinal)).ShouldBe(cases.Select(c => c.Reason).Distinct().Count());
        var logged = _log.Entries.Where(e => e.EventId.Id == 2401).ToList();
        logged.Count.ShouldBe(cases.Length);
        logged[0].Message.ShouldContain(nameof(DelegationRefusal.WrongChain));
        _store.Writes.ShouldBeEmpty();
    }

    [Fact]
    public async Task RefusalDetails_NameTheNumbersThatDecided()
    {
        ((DelegationRefused)await _intake.SubmitAsync(Request(600) with { ChainId = 5 })).Detail.ShouldBe("This watchtower guards chain 31337, not 5.");
        ((DelegationRefused)await _intake.SubmitAsync(Request(1001))).Detail.ShouldBe("The payer's deposit is 1000.");
        ((DelegationRefused)await _intake.SubmitAsync(Request(100))).Detail.ShouldBe("The chain has already paid the payee 100.");
        (await _intake.SubmitAsync(Request(900))).ShouldBeOfType<DelegationAccepted>();
        ((DelegationRefused)await _intake.SubmitAsync(Request(800))).Detail.ShouldBe("A voucher for 900 is already held; 800 is not newer.");
    }

    [Fact]
    public async Task AmountBoundaries_AtTheDepositAccepted_AtTheRedeemedRefused_OneAboveAccepted()
    {
        (await _intake.SubmitAsync(Request(100))).ShouldBeOfType<DelegationRefused>().Reason.ShouldBe(DelegationRefusal.AlreadyRedeemed);
        (await _store.GetDelegationAsync(_channel.Id)).ShouldBeNull();
        (await _intake.SubmitAsync(Request(101))).ShouldBeOfType<DelegationAccepted>();
        (await _intake.SubmitAsync(Request(1000))).ShouldBeOfType<DelegationAccepted>().Delegation.Amount.ShouldBe(new BigInteger(1000));
    }

    [Fact]
    public async Task LargestAmountBelow2Pow96_PassesTheFormCheck_ThenTheDepositDecides()
    {
        _chain.States[_channel.Id] = new ChannelState(true, VoucherVerifier.MaxAmount, 0, 0, 0, 0);

        (await _intake.SubmitAsync(Request(VoucherVerifier.MaxAmount))).ShouldBeOfType<DelegationAccepted>();
    }

    [Fact]
    public async Task Repeated_Unchanged_NoWrite()
    {
        var first = Request(400);
        (await _intake.SubmitAsync(first)).ShouldBeOfType<DelegationAccepted>();
        var held = await _store.GetDelegationAsync(_channel.Id);
        _time.Advance(TimeSpan.FromMinutes(1));

        (await _intake.SubmitAsync(first)).ShouldBeOfType<DelegationUnchanged>().Delegation.ShouldBe(held);
        (await _store.GetDelegationAsync(_channel.Id))!.ReceivedAt.ShouldBe(held!.ReceivedAt);
        _meter.ShouldCount("watchtower.delegations.accepted", "delegationsAccepted", 1);
        _meter.ShouldCount("watchtower.delegations.refused", "delegationsRefused", 0);
    }

    [Fact]
    public async Task ChannelAlreadyClosing_WindowOpen_AcceptedWithTheChainsDeadline()
    {
        var deadline = _chain.Block(10).Timestamp + 100;
        _chain.States[_channel.Id] = new ChannelState(true, 1000, 100, 0, 0, deadline);

        var accepted = (await _intake.SubmitAsync(Request(250))).ShouldBeOfType<DelegationAccepted>();

        accepted.Delegation.CloseDeadline.ShouldBe(deadline);
        (await _store.GetDelegationAsync(_channel.Id))!.CloseDeadline.ShouldBe(deadline);

        // Written with the voucher itself, not only by the deadline write after it: a crash between the two still
        // leaves the closing channel guarded.
        _store.Saved.ShouldHaveSingleItem().CloseDeadline.ShouldBe(deadline);
    }

    [Fact]
    public async Task ChannelClosing_WindowOver_RefusedChallengePeriodOver_NothingHeld()
    {
        var deadline = _chain.Block(10).Timestamp; // the next block is later than the deadline
        _chain.States[_channel.Id] = new ChannelState(true, 1000, 100, 0, 0, deadline);

        var refused = (await _intake.SubmitAsync(Request(250))).ShouldBeOfType<DelegationRefused>();

        refused.Reason.ShouldBe(DelegationRefusal.ChallengePeriodOver);
        refused.Detail.ShouldContain(deadline.ToString(CultureInfo.InvariantCulture));
        (await _store.GetDelegationAsync(_channel.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task NewerVoucher_KeepsTheCloseDeadlineAlreadySeen()
    {
        var deadline = _chain.Block(10).Timestamp + 500;
        (await _intake.SubmitAsync(Request(300))).ShouldBeOfType<DelegationAccepted>();
        await _store.SetCloseDeadlineAsync(_channel.Id, deadline);

        // The state read at the newer update no longer shows the close (e.g. a node behind): the stored deadline stays.
        var accepted = (await _intake.SubmitAsync(Request(400))).ShouldBeOfType<DelegationAccepted>();

        accepted.Delegation.Amount.ShouldBe(new BigInteger(400));
        accepted.Delegation.CloseDeadline.ShouldBe(deadline);
    }

    [Fact]
    public void Constructor_AndSubmit_NullArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => new DelegationIntake(null!, _chain)).ParamName.ShouldBe("store");
        Should.Throw<ArgumentNullException>(() => new DelegationIntake(_store, null!)).ParamName.ShouldBe("chain");
        Should.Throw<ArgumentNullException>(() => _intake.SubmitAsync(null!)).ParamName.ShouldBe("request");
    }

    [Fact]
    public async Task Repeated_AfterTheChainMovedPastIt_StillUnchanged_ChainNotAsked()
    {
        var first = Request(400);
        (await _intake.SubmitAsync(first)).ShouldBeOfType<DelegationAccepted>();
        var held = await _store.GetDelegationAsync(_channel.Id);
        var reads = _chain.StateReads;

        // The payee redeemed it meanwhile: a repeat is still the same voucher, not a refusal.
        _chain.States[_channel.Id] = new ChannelState(true, 1000, 400, 0, 0, 0);
        (await _intake.SubmitAsync(first)).ShouldBeOfType<DelegationUnchanged>().Delegation.ShouldBe(held);

        _chain.StateReads.ShouldBe(reads);
        _store.Saved.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RaceLost_NewerStoredBetweenReadAndWrite_NotNewer_NamingTheNewerAmount_NewerKept()
    {
        var newer = new Delegation(_channel, new SignedVoucher(new Voucher(_channel.Id, 800), default), DateTimeOffset.UnixEpoch, null, false);
        _store.RaceWith = newer;

        var refused = (await _intake.SubmitAsync(Request(600))).ShouldBeOfType<DelegationRefused>();

        refused.Reason.ShouldBe(DelegationRefusal.NotNewer);
        refused.Detail.ShouldBe("A voucher for 800 is already held; 600 is not newer.");
        (await _store.GetDelegationAsync(_channel.Id)).ShouldBe(newer);
        _meter.ShouldCount("watchtower.delegations.refused/reason=NotNewer", "delegationsRefused", 1);
        _meter.ShouldCount("watchtower.delegations.accepted", "delegationsAccepted", 0);
    }

    [Fact]
    public async Task RaceLost_SameAmountStoredBetweenReadAndWrite_Unchanged_AnsweringWhatTheStoreHolds()
    {
        var same = new Delegation(_channel, new SignedVoucher(new Voucher(_channel.Id, 600), default), DateTimeOffset.UnixEpoch, null, false);
        _store.RaceWith = same;

        var unchanged = (await _intake.SubmitAsync(Request(600))).ShouldBeOfType<DelegationUnchanged>();

        unchanged.Delegation.ShouldBe(same);
        unchanged.Delegation.ReceivedAt.ShouldBe(DateTimeOffset.UnixEpoch);
        (await _store.GetDelegationAsync(_channel.Id)).ShouldBe(same);
        _meter.ShouldCount("watchtower.delegations.accepted", "delegationsAccepted", 0);
        _meter.ShouldCount("watchtower.delegations.refused", "delegationsRefused", 0);
    }

    [Fact]
    public async Task Accepted_NewerVoucherForAFinishedDelegation_AnswersWhatTheStoreHolds()
    {
        // A delegation finished (the channel settled) and the chain shows the channel again (a reorg undid the
        // settle): the store takes the newer voucher but keeps the finished mark, so the answer is the store's record,
        // not the one the intake built (Finished: false).
        var voucher = new Voucher(_channel.Id, 300);
        var finished = new Delegation(_channel, new SignedVoucher(voucher, voucher.Sign(_payerKey, Domain)), DateTimeOffset.UnixEpoch, null, true);
        (await _store.SaveDelegationAsync(finished)).ShouldBe(DelegationWrite.Stored);

        var accepted = (await _intake.SubmitAsync(Request(600))).ShouldBeOfType<DelegationAccepted>();

        var held = (await _store.GetDelegationAsync(_channel.Id)).ShouldNotBeNull();
        accepted.Delegation.ShouldBe(held);
        held.Amount.ShouldBe(new BigInteger(600));
        held.ReceivedAt.ShouldBe(_time.GetUtcNow());
        held.Finished.ShouldBeTrue();
        _store.Saved[^1].Finished.ShouldBeFalse();
        _meter.ShouldCount("watchtower.delegations.accepted", "delegationsAccepted", 1);
    }
}
