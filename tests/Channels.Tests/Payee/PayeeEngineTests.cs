using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Vouchers;

namespace Settlement.Channels.Tests.Payee;

public sealed class PayeeEngineTests : IDisposable
{
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task SubmitAsync_FirstVoucher_AcceptedAndStoredBeforeTheAnswer()
    {
        await using var engine = await _world.StartEngineAsync();

        var outcome = await engine.SubmitAsync(_world.Voucher(300));

        outcome.ShouldBe(new VoucherAccepted(300, 300));
        var stored = await _world.Store.GetNewestAsync(_world.Key);
        stored.ShouldNotBeNull();
        stored.Cumulative.ShouldBe(new BigInteger(300));
        stored.Signer.ShouldBe(_world.Payer.Address);
        stored.Signature.ShouldBe(_world.Voucher(300).Signature.ToArray());
        stored.ReceivedAt.ShouldBe(_world.Clock.GetUtcNow());
    }

    [Fact]
    public async Task SubmitAsync_Stream_EachAcceptedWithItsIncrement()
    {
        await using var engine = await _world.StartEngineAsync();

        (await engine.SubmitAsync(_world.Voucher(100))).ShouldBe(new VoucherAccepted(100, 100));
        (await engine.SubmitAsync(_world.Voucher(250))).ShouldBe(new VoucherAccepted(250, 150));
        (await engine.SubmitAsync(_world.Voucher(251))).ShouldBe(new VoucherAccepted(251, 1));
        engine.GetCredit(_world.Key).ShouldBe(new PayeeCredit(_world.Key, 251, PayeeWorld.Deposit - 251, PayeeWorld.Deposit, true));
    }

    [Fact]
    public async Task SubmitAsync_SameVoucherTwice_SecondIsDuplicateAndNothingWritten()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(100));
        var batches = _world.Store.Batches;

        (await engine.SubmitAsync(_world.Voucher(100))).ShouldBe(new VoucherDuplicate(100));

        _world.Store.Batches.ShouldBe(batches);
    }

    [Fact]
    public async Task SubmitAsync_OlderVoucher_StaleNamesTheStoredAmountAndStateUnchanged()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(100));
        var credit = engine.GetCredit(_world.Key);

        (await engine.SubmitAsync(_world.Voucher(99))).ShouldBe(new VoucherRejected(VoucherRejectCode.Stale, 100));

        engine.GetCredit(_world.Key).ShouldBe(credit);
        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(new BigInteger(100));
    }

    public static TheoryData<string> Refusals => new()
    {
        "forged", "high-s", "zero", "beyond-deposit", "malformed-signature", "wrong-chain", "wrong-contract", "unknown-channel",
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task SubmitAsync_BadVoucher_SpecificCodeAndNothingChanged(string kind)
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(100));
        var batches = _world.Store.Batches;
        var credit = engine.GetCredit(_world.Key);
        var unknown = _world.Key with { ChannelId = ChannelId.FromBytes(Enumerable.Repeat((byte)9, 32).ToArray()) };
        (VoucherSubmission Submission, VoucherRejectCode Code) refusal = kind switch
        {
            "forged" => (_world.Voucher(200, _world.Stranger), VoucherRejectCode.WrongSigner),
            "high-s" => (HighS(_world.Voucher(200)), VoucherRejectCode.HighS),
            "zero" => (_world.Voucher(0), VoucherRejectCode.Stale),
            "beyond-deposit" => (_world.Voucher(PayeeWorld.Deposit + 1), VoucherRejectCode.ExceedsDeposit),
            "malformed-signature" => (_world.Voucher(200) with { Signature = new byte[65] }, VoucherRejectCode.MalformedSignature),
            "wrong-chain" => (_world.Voucher(200, key: _world.Key with { ChainId = 1 }), VoucherRejectCode.WrongChain),
            "wrong-contract" => (_world.Voucher(200, key: _world.Key with { Contract = PayeeWorld.OtherContract }), VoucherRejectCode.WrongContract),
            "unknown-channel" => (_world.Voucher(200, key: unknown), VoucherRejectCode.UnknownChannel),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var outcome = await engine.SubmitAsync(refusal.Submission);

        outcome.ShouldBeOfType<VoucherRejected>().Code.ShouldBe(refusal.Code);
        _world.Store.Batches.ShouldBe(batches);
        engine.GetCredit(_world.Key).ShouldBe(credit);
        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(new BigInteger(100));
        (await engine.SubmitAsync(_world.Voucher(101))).ShouldBe(new VoucherAccepted(101, 1));
    }

    private static VoucherSubmission HighS(VoucherSubmission valid)
    {
        var bytes = valid.Signature.ToArray();
        var n = new BigInteger(Settlement.Ethereum.Signing.Secp256k1Scalars.Order, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(bytes.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        (n - s).TryWriteBytes(bytes.AsSpan(32, 32), out _, isUnsigned: true, isBigEndian: true);
        bytes[64] = (byte)(bytes[64] == 27 ? 28 : 27);
        return valid with { Signature = bytes };
    }

    [Fact]
    public async Task SubmitAsync_RejectedAfterAcceptance_NamesStoredAmount()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(100));

        (await engine.SubmitAsync(_world.Voucher(200, _world.Stranger))).ShouldBe(new VoucherRejected(VoucherRejectCode.WrongSigner, 100));
    }

    [Fact]
    public async Task SubmitAsync_UnknownChannelFlood_ChainAskedOncePerCacheTime()
    {
        await using var engine = await _world.StartEngineAsync();
        var unknown = _world.Key with { ChannelId = ChannelId.FromBytes(Enumerable.Repeat((byte)9, 32).ToArray()) };
        var lookups = _world.Source.Lookups;

        for (var i = 0; i < 50; i++)
        {
            (await engine.SubmitAsync(_world.Voucher(1, key: unknown))).ShouldBe(new VoucherRejected(VoucherRejectCode.UnknownChannel, 0));
        }

        _world.Source.Lookups.ShouldBe(lookups + 1);
        _world.Clock.Advance(TimeSpan.FromSeconds(3));
        await engine.SubmitAsync(_world.Voucher(1, key: unknown));
        _world.Source.Lookups.ShouldBe(lookups + 2);
    }

    [Fact]
    public async Task SubmitAsync_ChannelOpenedAfterFirstLookup_AcceptedOnceConfirmed()
    {
        await using var engine = await _world.StartEngineAsync(withView: false);
        (await engine.SubmitAsync(_world.Voucher(10))).ShouldBe(new VoucherRejected(VoucherRejectCode.UnknownChannel, 0));

        _world.Source.Set(_world.View());
        _world.Clock.Advance(TimeSpan.FromSeconds(3));

        (await engine.SubmitAsync(_world.Voucher(10))).ShouldBe(new VoucherAccepted(10, 10));
    }

    [Fact]
    public async Task ApplyViewAsync_TopUp_RaisesCreditWithoutRestart()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(PayeeWorld.Deposit));
        (await engine.SubmitAsync(_world.Voucher(PayeeWorld.Deposit + 5))).ShouldBe(new VoucherRejected(VoucherRejectCode.ExceedsDeposit, PayeeWorld.Deposit));

        await engine.ApplyViewAsync(new StoredChannel(_world.View(deposit: PayeeWorld.Deposit * 2), 5));

        engine.GetCredit(_world.Key)!.Remaining.ShouldBe(PayeeWorld.Deposit);
        (await engine.SubmitAsync(_world.Voucher(PayeeWorld.Deposit + 5))).ShouldBe(new VoucherAccepted(PayeeWorld.Deposit + 5, 5));
        (await _world.Store.GetChannelAsync(_world.Key))!.BlockNumber.ShouldBe(5UL);
    }

    [Fact]
    public async Task ApplyViewAsync_OlderBlock_Ignored()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.TrackAsync(_world.Key);
        await engine.ApplyViewAsync(new StoredChannel(_world.View(deposit: 5_000_000), 10));

        await engine.ApplyViewAsync(new StoredChannel(_world.View(deposit: 1), 9));

        engine.GetCredit(_world.Key)!.Deposit.ShouldBe(new BigInteger(5_000_000));
    }

    [Fact]
    public async Task ApplyViewAsync_Closing_RefusesFurtherVouchersAndReleasesWaiters()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(10));
        var waiting = engine.WaitForPaymentAsync(_world.Key, 20);
        var deadline = (ulong)_world.Clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds();

        await engine.ApplyViewAsync(new StoredChannel(_world.View(closeDeadline: deadline), 2));

        var credit = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        credit.IsOpen.ShouldBeFalse();
        credit.Paid.ShouldBe(new BigInteger(10));
        (await engine.SubmitAsync(_world.Voucher(20))).ShouldBe(new VoucherRejected(VoucherRejectCode.ChannelClosing, 10));
    }

    [Fact]
    public async Task WaitForPaymentAsync_PaidLater_CompletesWhenStored()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(10));
        var waiting = engine.WaitForPaymentAsync(_world.Key, 15);
        waiting.IsCompleted.ShouldBeFalse();

        await engine.SubmitAsync(_world.Voucher(14));
        waiting.IsCompleted.ShouldBeFalse();
        await engine.SubmitAsync(_world.Voucher(15));

        var credit = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        credit.Paid.ShouldBe(new BigInteger(15));
        credit.IsOpen.ShouldBeTrue();
    }

    [Fact]
    public async Task WaitForPaymentAsync_AlreadyPaid_ReturnsAtOnce()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(10));

        (await engine.WaitForPaymentAsync(_world.Key, 10)).Paid.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task WaitForPaymentAsync_Cancelled_Throws()
    {
        await using var engine = await _world.StartEngineAsync();
        using var cts = new CancellationTokenSource();
        var waiting = engine.WaitForPaymentAsync(_world.Key, 10, cts.Token);

        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task WaitForPaymentAsync_UnknownChannel_Throws()
    {
        await using var engine = await _world.StartEngineAsync(withView: false);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => engine.WaitForPaymentAsync(_world.Key, 10));
        ex.Message.ShouldContain(_world.Key.ChannelId.ToString());
    }

    [Fact]
    public async Task SubmitAsync_StoreFails_ThrowsAndTheSameVoucherIsAcceptedAfterwards()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(10));
        _world.Store.FailNextWrite = new IOException("disk full");

        await Should.ThrowAsync<IOException>(async () => await engine.SubmitAsync(_world.Voucher(20)));
        engine.GetCredit(_world.Key)!.Paid.ShouldBe(new BigInteger(10));

        (await engine.SubmitAsync(_world.Voucher(20))).ShouldBe(new VoucherAccepted(20, 10));
    }

    [Fact]
    public async Task StartAsync_AfterRestart_KnowsStoredNewestWithoutAskingTheChain()
    {
        await using (var first = await _world.StartEngineAsync())
        {
            await first.SubmitAsync(_world.Voucher(500));
        }

        var lookups = _world.Source.Lookups;
        await using var second = await _world.StartEngineAsync();

        second.GetCredit(_world.Key)!.Paid.ShouldBe(new BigInteger(500));
        (await second.SubmitAsync(_world.Voucher(400))).ShouldBe(new VoucherRejected(VoucherRejectCode.Stale, 500));
        (await second.SubmitAsync(_world.Voucher(500))).ShouldBe(new VoucherDuplicate(500));
        (await second.SubmitAsync(_world.Voucher(501))).ShouldBe(new VoucherAccepted(501, 1));
        _world.Source.Lookups.ShouldBe(lookups);
    }

    [Fact]
    public async Task SubmitAsync_ConcurrentIncreasingVouchers_NewestIsTheMaximumAndIncrementsSumToIt()
    {
        await using var engine = await _world.StartEngineAsync();
        var vouchers = Enumerable.Range(1, 400).Select(i => _world.Voucher(i * 10)).ToArray();

        var outcomes = await Task.WhenAll(vouchers.Select(v => Task.Run(async () => await engine.SubmitAsync(v))));

        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(new BigInteger(4000));
        engine.GetCredit(_world.Key)!.Paid.ShouldBe(new BigInteger(4000));
        var accepted = outcomes.OfType<VoucherAccepted>().ToArray();
        accepted.Aggregate(BigInteger.Zero, (sum, a) => sum + a.Increment).ShouldBe(new BigInteger(4000));
        outcomes.Count(o => o is VoucherRejected { Code: VoucherRejectCode.Stale }).ShouldBe(400 - accepted.Length);
    }

    [Fact]
    public async Task SubmitAsync_ManyChannelsAtOnce_GroupCommittedInFewerTransactionsThanVouchers()
    {
        await using var engine = await _world.StartEngineAsync();
        var gate = new TaskCompletionSource();
        _world.Store.Gate = gate;
        var keys = Enumerable.Range(0, 200).Select(i => _world.Key with { ChannelId = ChannelId.FromBytes(Enumerable.Repeat((byte)i, 32).ToArray()) }).ToArray();
        foreach (var key in keys)
        {
            _world.Source.Set(_world.View(key: key));
        }

        var pending = keys.Select(k => engine.SubmitAsync(_world.Voucher(7, key: k)).AsTask()).ToArray();
        await Task.Delay(200);
        pending.ShouldAllBe(p => !p.IsCompleted);
        gate.SetResult();
        _world.Store.Gate = null;

        (await Task.WhenAll(pending)).ShouldAllBe(o => o == new VoucherAccepted(7, 7));
        _world.Store.Batches.ShouldBeLessThan(200);
        _world.Store.LargestBatch.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task StopAsync_WritesQueuedVouchersThenRefusesNewOnes()
    {
        var engine = await _world.StartEngineAsync();
        var gate = new TaskCompletionSource();
        _world.Store.Gate = gate;
        var inFlight = engine.SubmitAsync(_world.Voucher(10)).AsTask();
        await Task.Delay(50);

        var stopping = engine.StopAsync();
        (await engine.SubmitAsync(_world.Voucher(20))).ShouldBe(new VoucherRejected(VoucherRejectCode.Unavailable, 0));
        stopping.IsCompleted.ShouldBeFalse();
        gate.SetResult();
        await stopping;

        (await inFlight).ShouldBe(new VoucherAccepted(10, 10));
        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(new BigInteger(10));
        await engine.DisposeAsync();
    }

    [Fact]
    public async Task SubmitAsync_NotStarted_Throws()
    {
        var engine = new PayeeEngine(Microsoft.Extensions.Options.Options.Create(_world.Options()), _world.Store, _world.Source, _world.Clock);

        await Should.ThrowAsync<InvalidOperationException>(async () => await engine.SubmitAsync(_world.Voucher(1)));
    }

    [Fact]
    public async Task SignReceipt_AfterPayment_SignedByPayeeForStoredAmount()
    {
        await using var engine = await _world.StartEngineAsync();
        engine.SignReceipt(_world.Key).ShouldBeNull();
        await engine.SubmitAsync(_world.Voucher(42));

        var receipt = engine.SignReceipt(_world.Key);

        receipt.ShouldNotBeNull();
        receipt.Cumulative.ShouldBe(new BigInteger(42));
        receipt.IssuedAt.ShouldBe((ulong)_world.Clock.GetUtcNow().ToUnixTimeSeconds());
        receipt.IsSignedBy(_world.Payee.Address).ShouldBeTrue();
        receipt.IsSignedBy(_world.Payer.Address).ShouldBeFalse();
        (receipt with { Cumulative = 43 }).IsSignedBy(_world.Payee.Address).ShouldBeFalse();
        (receipt with { Key = receipt.Key with { ChainId = 1 } }).IsSignedBy(_world.Payee.Address).ShouldBeFalse();
    }

    [Fact]
    public async Task SignReceipt_NoReceiptKey_Null()
    {
        await using var engine = await _world.StartEngineAsync(receipts: false);
        await engine.SubmitAsync(_world.Voucher(42));

        engine.SignReceipt(_world.Key).ShouldBeNull();
    }

    [Fact]
    public async Task SubmitAsync_OverChannelRate_FlagsThenRefusesAndFlagsAreStored()
    {
        await using var engine = await _world.StartEngineAsync(o =>
        {
            o.Velocity.ChannelPaymentsPerSecondFlag = 3;
            o.Velocity.ChannelPaymentsPerSecondRefuse = 5;
        });
        var raised = new List<VelocityFlag>();
        engine.FlagRaised += (_, flag) => { lock (raised) { raised.Add(flag); } };

        var outcomes = new List<VoucherOutcome>();
        for (var i = 1; i <= 7; i++)
        {
            outcomes.Add(await engine.SubmitAsync(_world.Voucher(i)));
        }

        outcomes.Take(5).ShouldAllBe(o => o is VoucherAccepted);
        outcomes.Skip(5).ShouldAllBe(o => o == new VoucherRejected(VoucherRejectCode.VelocityLimit, 5));
        var flags = await engine.ListFlagsAsync(DateTimeOffset.MinValue);
        flags.Count.ShouldBe(2);
        flags[0].ShouldBe(new VelocityFlag(_world.Key, _world.Payer.Address, VelocityRule.ChannelPaymentsPerSecond, 4, 3, false, _world.Clock.GetUtcNow()));
        flags[1].ShouldBe(new VelocityFlag(_world.Key, _world.Payer.Address, VelocityRule.ChannelPaymentsPerSecond, 6, 5, true, _world.Clock.GetUtcNow()));
        raised.Count.ShouldBe(2);

        _world.Clock.Advance(TimeSpan.FromSeconds(1));
        (await engine.SubmitAsync(_world.Voucher(6))).ShouldBe(new VoucherAccepted(6, 1));
    }

    [Fact]
    public async Task SubmitAsync_OverPayerValuePerMinute_RefusedAcrossChannels()
    {
        await using var engine = await _world.StartEngineAsync(o => o.Velocity.PayerValuePerMinuteRefuse = "1000");
        var second = _world.Key with { ChannelId = ChannelId.FromBytes(Enumerable.Repeat((byte)5, 32).ToArray()) };
        _world.Source.Set(_world.View(key: second));

        (await engine.SubmitAsync(_world.Voucher(600))).ShouldBeOfType<VoucherAccepted>();
        (await engine.SubmitAsync(_world.Voucher(401, key: second))).ShouldBe(new VoucherRejected(VoucherRejectCode.VelocityLimit, 0));
        (await engine.SubmitAsync(_world.Voucher(400, key: second))).ShouldBeOfType<VoucherAccepted>();
        (await engine.ListFlagsAsync(DateTimeOffset.MinValue)).ShouldHaveSingleItem().Rule.ShouldBe(VelocityRule.PayerValuePerMinute);
    }

    [Fact]
    public async Task StartAsync_StoredSettledChannel_NotHeld()
    {
        await _world.Store.SaveChannelAsync(new StoredChannel(_world.View(settled: true), 9));

        await using var engine = await _world.StartEngineAsync(withView: false);

        engine.ChannelCount.ShouldBe(0);
        engine.GetCredit(_world.Key).ShouldBeNull();
    }

    [Fact]
    public async Task StartAsync_StoredChannelOfAnotherDeployment_NotHeld()
    {
        await _world.Store.SaveChannelAsync(new StoredChannel(_world.View(key: _world.Key with { Contract = PayeeWorld.OtherContract }), 9));
        await _world.Store.SaveChannelAsync(new StoredChannel(_world.View(), 9));

        await using var engine = await _world.StartEngineAsync(withView: false);

        engine.ChannelCount.ShouldBe(1);
        engine.GetCredit(_world.Key).ShouldNotBeNull();
    }

    [Fact]
    public async Task StartAsync_Twice_MigratesOnce()
    {
        await using var engine = await _world.StartEngineAsync();

        await engine.StartAsync();

        _world.Store.Migrations.ShouldBe(1);
    }

    [Fact]
    public async Task ApplyViewAsync_SameBlockReadAgain_LaterReadWins()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.ApplyViewAsync(new StoredChannel(_world.View(deposit: 2_000_000), 10));

        await engine.ApplyViewAsync(new StoredChannel(_world.View(deposit: 3_000_000), 10));

        engine.GetCredit(_world.Key)!.Deposit.ShouldBe(new BigInteger(3_000_000));
    }

    [Fact]
    public async Task ApplyViewAsync_OtherDeployment_IgnoredAndNotStored()
    {
        await using var engine = await _world.StartEngineAsync();
        var other = _world.Key with { ChainId = 1 };

        await engine.ApplyViewAsync(new StoredChannel(_world.View(key: other), 10));

        engine.GetCredit(other).ShouldBeNull();
        (await _world.Store.GetChannelAsync(other)).ShouldBeNull();
    }

    [Fact]
    public async Task TrackAsync_KnownUnknownAndOtherDeployment()
    {
        await using var engine = await _world.StartEngineAsync();
        var lookups = _world.Source.Lookups;

        (await engine.TrackAsync(_world.Key)).ShouldBeTrue();
        (await engine.TrackAsync(_world.Key with { ChannelId = ChannelId.FromBytes(new byte[32]) })).ShouldBeFalse();
        (await engine.TrackAsync(_world.Key with { ChainId = 1 })).ShouldBeFalse();
        (await engine.TrackAsync(_world.Key with { Contract = PayeeWorld.OtherContract })).ShouldBeFalse();

        _world.Source.Lookups.ShouldBe(lookups + 2, "another deployment's channel is never looked up");
    }

    [Fact]
    public async Task TrackAsync_VoucherStoredByAnotherInstance_CreditStartsFromIt()
    {
        await _world.Store.SaveNewestAsync([Stored(500)]);
        await using var engine = await _world.StartEngineAsync();

        (await engine.TrackAsync(_world.Key)).ShouldBeTrue();

        engine.GetCredit(_world.Key)!.Paid.ShouldBe(new BigInteger(500));
    }

    [Fact]
    public async Task SubmitAsync_UnknownChannelAtExactlyTheCacheTime_AskedAgain()
    {
        await using var engine = await _world.StartEngineAsync(withView: false);
        await engine.SubmitAsync(_world.Voucher(1));
        var lookups = _world.Source.Lookups;

        _world.Clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        await engine.SubmitAsync(_world.Voucher(1));
        _world.Source.Lookups.ShouldBe(lookups);
        _world.Clock.Advance(TimeSpan.FromTicks(1));
        await engine.SubmitAsync(_world.Voucher(1));

        _world.Source.Lookups.ShouldBe(lookups + 1);
    }

    [Fact]
    public async Task SignReceipt_ChannelHeldButNothingPaid_Null()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.TrackAsync(_world.Key);

        engine.SignReceipt(_world.Key).ShouldBeNull();
    }

    [Fact]
    public async Task SubmitAsync_AfterAFailedWrite_ALowerVoucherIsAccepted()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(10));
        _world.Store.FailNextWrite = new IOException("disk full");
        await Should.ThrowAsync<IOException>(async () => await engine.SubmitAsync(_world.Voucher(20)));

        // The failed 20 holds no reservation: 15 is above what is stored and is accepted.
        (await engine.SubmitAsync(_world.Voucher(15))).ShouldBe(new VoucherAccepted(15, 5));
    }

    [Fact]
    public async Task SubmitAsync_AnotherInstanceStoredHigher_StaleNamingItAndLowerOnesRefusedWithoutWriting()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(100));
        await _world.Store.SaveNewestAsync([Stored(500)]);

        (await engine.SubmitAsync(_world.Voucher(300))).ShouldBe(new VoucherRejected(VoucherRejectCode.Stale, 500));
        engine.GetCredit(_world.Key)!.Paid.ShouldBe(new BigInteger(500));
        var batches = _world.Store.Batches;

        (await engine.SubmitAsync(_world.Voucher(400))).ShouldBe(new VoucherRejected(VoucherRejectCode.Stale, 500));
        _world.Store.Batches.ShouldBe(batches, "the engine learnt the stored amount and refuses without a write");
        (await engine.SubmitAsync(_world.Voucher(501))).ShouldBe(new VoucherAccepted(501, 1));
    }

    [Fact]
    public async Task SubmitAsync_AnotherInstanceStoredTheSameAmount_Duplicate()
    {
        await using var engine = await _world.StartEngineAsync();
        await engine.SubmitAsync(_world.Voucher(100));
        await _world.Store.SaveNewestAsync([Stored(300)]);

        (await engine.SubmitAsync(_world.Voucher(300))).ShouldBe(new VoucherDuplicate(300));
    }

    [Fact]
    public async Task SubmitAsync_Outcomes_CountedOnTheMeter()
    {
        using var factory = new SingleMeterFactory();
        using var metrics = new PayeeMetrics(factory);
        var counts = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, factory.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var name = instrument.Name;
            foreach (var tag in tags)
            {
                name += "/" + tag.Value;
            }

            lock (counts)
            {
                counts[name] = counts.GetValueOrDefault(name) + value;
            }
        });
        listener.Start();
        _world.Source.Set(_world.View());
        await using var engine = new PayeeEngine(
            Microsoft.Extensions.Options.Options.Create(_world.Options()), _world.Store, _world.Source, _world.Clock, metrics: metrics);
        await engine.StartAsync();

        await engine.SubmitAsync(_world.Voucher(10));
        await engine.SubmitAsync(_world.Voucher(10));
        await engine.SubmitAsync(_world.Voucher(5));
        await engine.SubmitAsync(_world.Voucher(20, _world.Stranger));

        counts["payee.vouchers.accepted"].ShouldBe(1);
        counts["payee.vouchers.duplicate"].ShouldBe(1);
        counts["payee.vouchers.rejected/Stale"].ShouldBe(1);
        counts["payee.vouchers.rejected/WrongSigner"].ShouldBe(1);
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        var options = Microsoft.Extensions.Options.Options.Create(_world.Options());
        Should.Throw<ArgumentNullException>(() => new PayeeEngine(null!, _world.Store, _world.Source));
        Should.Throw<ArgumentNullException>(() => new PayeeEngine(options, null!, _world.Source));
        Should.Throw<ArgumentNullException>(() => new PayeeEngine(options, _world.Store, null!));
    }

    [Fact]
    public void Constructor_BadContract_NamesTheSetting()
    {
        var options = Microsoft.Extensions.Options.Options.Create(_world.Options(o => o.Contract = "0x12"));

        Should.Throw<ArgumentException>(() => new PayeeEngine(options, _world.Store, _world.Source)).Message.ShouldContain("Payee:Contract");
    }

    [Fact]
    public async Task ApplyViewAsync_Null_Throws()
    {
        await using var engine = await _world.StartEngineAsync();

        await Should.ThrowAsync<ArgumentNullException>(() => engine.ApplyViewAsync(null!));
    }

    private StoredVoucher Stored(BigInteger amount) =>
        new(_world.Key, _world.Payer.Address, amount, _world.Voucher(amount).Signature.ToArray(), _world.Clock.GetUtcNow());

    private sealed class SingleMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter? Meter { get; private set; }

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => Meter = new System.Diagnostics.Metrics.Meter(options);

        public void Dispose() => Meter?.Dispose();
    }
}
