using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Payee.Velocity;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.IntegrationTests.Payee.Storage;

/// <summary>
/// What every <see cref="IVoucherStore"/> must do, run against each backend by a sealed subclass that says how to open
/// a store on its storage (a new instance on the same file or database each time) and how to damage a row.
/// </summary>
public abstract partial class VoucherStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Payer = Address.FromBytes(Enumerable.Repeat((byte)0xA1, 20).ToArray());
    private static readonly Address PayeeAddress = Address.FromBytes(Enumerable.Repeat((byte)0xB2, 20).ToArray());
    private static readonly BigInteger MaxWord = (BigInteger.One << 256) - 1;

    /// <summary>A new store instance on this test's storage (same file / database every call).</summary>
    protected abstract Task<IVoucherStore> OpenStoreAsync();

    /// <summary>Overwrites every stored voucher's signature with 65 zero bytes (v = 0: no valid signature has that).</summary>
    protected abstract Task CorruptVoucherSignaturesAsync();

    /// <summary>Sets every stored channel's challenge period to -1.</summary>
    protected abstract Task CorruptChannelsAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SaveNewest_NewChannel_AppliedWithPreviousZero()
    {
        var store = await OpenStoreAsync();
        var voucher = Voucher(Key(), 100, 1);

        var results = await store.SaveNewestAsync([voucher]);

        results.ShouldBe([new VoucherWriteResult(true, 0, 100)]);
        ShouldMatch(await store.GetNewestAsync(Key()), voucher);
    }

    [Fact]
    public async Task SaveNewest_HigherAmount_AppliedWithPreviousStored()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(), 100, 1)]);
        var higher = Voucher(Key(), 250, 2, seconds: 5);

        var results = await store.SaveNewestAsync([higher]);

        results.ShouldBe([new VoucherWriteResult(true, 100, 250)]);
        ShouldMatch(await store.GetNewestAsync(Key()), higher);
    }

    [Fact]
    public async Task SaveNewest_EqualAmount_NotAppliedStoredUnchanged()
    {
        var store = await OpenStoreAsync();
        var first = Voucher(Key(), 100, 1);
        await store.SaveNewestAsync([first]);

        var results = await store.SaveNewestAsync([Voucher(Key(), 100, 9, seconds: 7)]);

        results.ShouldBe([new VoucherWriteResult(false, 100, 100)]);
        ShouldMatch(await store.GetNewestAsync(Key()), first);
    }

    [Fact]
    public async Task SaveNewest_LowerAmount_NotAppliedRowUnchanged()
    {
        var store = await OpenStoreAsync();
        var high = Voucher(Key(), 500, 1);
        await store.SaveNewestAsync([high]);

        var results = await store.SaveNewestAsync([Voucher(Key(), 400, 9, seconds: 7)]);

        results.ShouldBe([new VoucherWriteResult(false, 500, 500)]);
        var stored = (await store.GetNewestAsync(Key())).ShouldNotBeNull();
        ShouldMatch(stored, high);
        stored.Signature.ShouldBe(high.Signature);
    }

    [Fact]
    public async Task SaveNewest_RepeatedVoucher_SecondNotApplied()
    {
        var store = await OpenStoreAsync();
        var voucher = Voucher(Key(), 100, 1);

        var first = await store.SaveNewestAsync([voucher]);
        var second = await store.SaveNewestAsync([voucher]);

        first.ShouldBe([new VoucherWriteResult(true, 0, 100)]);
        second.ShouldBe([new VoucherWriteResult(false, 100, 100)]);
    }

    [Fact]
    public async Task SaveNewest_BatchOfOneChannelInOrder_EachAppliedOverThePrevious()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(), 10, 1)]);

        var results = await store.SaveNewestAsync([Voucher(Key(), 20, 2), Voucher(Key(), 30, 3), Voucher(Key(), 40, 4)]);

        results.ShouldBe([new VoucherWriteResult(true, 10, 20), new VoucherWriteResult(true, 20, 30), new VoucherWriteResult(true, 30, 40)]);
        (await store.GetNewestAsync(Key())).ShouldNotBeNull().Signature[0].ShouldBe((byte)4);
    }

    [Fact]
    public async Task SaveNewest_BatchOfOneChannelOutOfOrder_HighestKeptAndLaterLowerOnesRefused()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(), 25, 1)]);

        var results = await store.SaveNewestAsync(
            [Voucher(Key(), 30, 2), Voucher(Key(), 10, 3), Voucher(Key(), 50, 4), Voucher(Key(), 40, 5), Voucher(Key(), 50, 6)]);

        results.ShouldBe(
        [
            new VoucherWriteResult(true, 25, 30),
            new VoucherWriteResult(false, 30, 30),
            new VoucherWriteResult(true, 30, 50),
            new VoucherWriteResult(false, 50, 50),
            new VoucherWriteResult(false, 50, 50),
        ]);
        var stored = (await store.GetNewestAsync(Key())).ShouldNotBeNull();
        stored.Cumulative.ShouldBe(50);
        stored.Signature[0].ShouldBe((byte)4);
    }

    [Fact]
    public async Task SaveNewest_NewChannelBatchOutOfOrder_FirstHighestStored()
    {
        var store = await OpenStoreAsync();

        var results = await store.SaveNewestAsync([Voucher(Key(), 30, 1), Voucher(Key(), 70, 2), Voucher(Key(), 70, 3), Voucher(Key(), 60, 4)]);

        results.ShouldBe(
        [
            new VoucherWriteResult(true, 0, 30),
            new VoucherWriteResult(true, 30, 70),
            new VoucherWriteResult(false, 70, 70),
            new VoucherWriteResult(false, 70, 70),
        ]);
        (await store.GetNewestAsync(Key())).ShouldNotBeNull().Signature[0].ShouldBe((byte)2);
    }

    [Fact]
    public async Task SaveNewest_BatchOfManyChannels_OneResultPerVoucherInInputOrder()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(channel: 2), 100, 1)]);

        var results = await store.SaveNewestAsync(
            [Voucher(Key(channel: 3), 5, 1), Voucher(Key(channel: 2), 50, 2), Voucher(Key(channel: 1), 7, 3), Voucher(Key(channel: 2), 150, 4)]);

        results.ShouldBe(
        [
            new VoucherWriteResult(true, 0, 5),
            new VoucherWriteResult(false, 100, 100),
            new VoucherWriteResult(true, 0, 7),
            new VoucherWriteResult(true, 100, 150),
        ]);
        (await store.ListNewestAsync()).Select(v => (v.Key, v.Cumulative)).ShouldBe(
            [(Key(channel: 1), new BigInteger(7)), (Key(channel: 2), new BigInteger(150)), (Key(channel: 3), new BigInteger(5))],
            ignoreOrder: true);
    }

    [Fact]
    public async Task SaveNewest_EmptyBatch_ReturnsNoResults()
    {
        var store = await OpenStoreAsync();

        (await store.SaveNewestAsync([])).ShouldBeEmpty();
    }

    [Fact]
    public async Task SaveNewest_KeysDifferingOnlyInChainContractOrChannel_AreIndependent()
    {
        var store = await OpenStoreAsync();
        ChannelKey[] keys =
        [
            Key(),
            Key(chain: 2),
            Key(chain: ulong.MaxValue), // above long.MaxValue: stored as its signed reinterpretation
            Key(chain: (ulong)long.MaxValue + 1),
            Key(contract: 2),
            Key(channel: 2),
        ];

        for (var i = 0; i < keys.Length; i++)
        {
            // The same amount everywhere: each is a first voucher of its own channel.
            (await store.SaveNewestAsync([Voucher(keys[i], 100, (byte)(i + 1))])).ShouldBe([new VoucherWriteResult(true, 0, 100)]);
        }

        (await store.SaveNewestAsync([Voucher(keys[0], 200, 50)])).ShouldBe([new VoucherWriteResult(true, 100, 200)]);
        for (var i = 1; i < keys.Length; i++)
        {
            var stored = (await store.GetNewestAsync(keys[i])).ShouldNotBeNull();
            stored.Key.ShouldBe(keys[i]);
            stored.Cumulative.ShouldBe(100);
            stored.Signature[0].ShouldBe((byte)(i + 1));
        }

        (await store.ListNewestAsync()).Select(v => v.Key).ShouldBe(keys, ignoreOrder: true);
    }

    [Fact]
    public async Task Reads_EmptyStoreNeverMigrated_ReturnNothing()
    {
        var store = await OpenStoreAsync();

        (await store.GetNewestAsync(Key())).ShouldBeNull();
        (await store.ListNewestAsync()).ShouldBeEmpty();
        (await store.GetChannelAsync(Key())).ShouldBeNull();
        (await store.ListChannelsAsync()).ShouldBeEmpty();
        (await store.ListFlagsAsync(DateTimeOffset.MinValue)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Reopen_NewInstance_ReturnsEverything()
    {
        var store = await OpenStoreAsync();
        await store.MigrateAsync();
        var voucher = Voucher(Key(chain: ulong.MaxValue), StorageLimit - 1, 3);
        var channel = Channel(Key(chain: ulong.MaxValue), 77);
        var flag = Flag(Key(chain: ulong.MaxValue), VelocityRule.PayerValuePerMinute, T0.AddMilliseconds(1234));
        await store.SaveNewestAsync([voucher]);
        await store.SaveChannelAsync(channel);
        await store.AppendFlagAsync(flag);

        var reopened = await OpenStoreAsync();

        ShouldMatch((await reopened.ListNewestAsync()).ShouldHaveSingleItem(), voucher);
        ShouldMatch((await reopened.ListChannelsAsync()).ShouldHaveSingleItem(), channel);
        ShouldMatch((await reopened.ListFlagsAsync(T0)).ShouldHaveSingleItem(), flag);
    }

    [Fact]
    public async Task SaveCloseAgreement_Reopen_ReturnedByANewInstance()
    {
        var store = await OpenStoreAsync();
        var agreement = Agreement(Key(chain: ulong.MaxValue), MaxWord, 7, long.MaxValue, 5);
        var other = Agreement(Key(channel: 2), 500, 0, 1_800_000_000, 6);
        await store.SaveCloseAgreementAsync(agreement);
        await store.SaveCloseAgreementAsync(other);

        var reopened = await OpenStoreAsync();

        var list = await reopened.ListCloseAgreementsAsync();
        list.Count.ShouldBe(2);
        ShouldMatch(list.Single(a => a.Key == agreement.Key), agreement);
        ShouldMatch(list.Single(a => a.Key == other.Key), other);
    }

    [Fact]
    public async Task SaveCloseAgreement_SameChannelAgain_ReplacesTheEarlierOne()
    {
        var store = await OpenStoreAsync();
        await store.SaveCloseAgreementAsync(Agreement(Key(), 500, 0, 1_800_000_000, 1));
        var newer = Agreement(Key(), 600, 3, 1_800_001_000, 2);

        await store.SaveCloseAgreementAsync(newer);

        ShouldMatch((await store.ListCloseAgreementsAsync()).ShouldHaveSingleItem(), newer);
    }

    [Fact]
    public async Task SaveCloseRequest_ReopenAndRepeat_OnePerChannelNewestTimeKept()
    {
        var store = await OpenStoreAsync();
        await store.SaveCloseRequestAsync(new CloseRequest(Key(), T0));
        await store.SaveCloseRequestAsync(new CloseRequest(Key(channel: 2), T0.AddSeconds(1)));
        await store.SaveCloseRequestAsync(new CloseRequest(Key(), T0.AddHours(2)));

        var reopened = await OpenStoreAsync();

        var list = await reopened.ListCloseRequestsAsync();
        list.Count.ShouldBe(2);
        list.Single(r => r.Key == Key()).RequestedAt.ShouldBe(T0.AddHours(2));
        list.Single(r => r.Key == Key(channel: 2)).RequestedAt.ShouldBe(T0.AddSeconds(1));
    }

    [Fact]
    public async Task PayeeEngine_RestartedOnThisStore_StillRefusesVouchersAboveTheLiveAgreement()
    {
        using var payer = Settlement.Ethereum.Signing.PrivateKey.Create(Enumerable.Repeat((byte)0x41, 32).ToArray());
        using var payee = Settlement.Ethereum.Signing.PrivateKey.Create(Enumerable.Repeat((byte)0x42, 32).ToArray());
        var contract = Key().Contract;
        var parameters = new ChannelParameters(payer.Address, payee.Address, Address.Zero, 3600, 9);
        var key = new ChannelKey(1, contract, parameters.Id);
        var source = new OneChannelSource(new StoredChannel(new PayeeChannelView(key, parameters, 1_000_000, 0, 0, 0, 0, false), 1));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        var typedData = ChannelTypedData.ForContract(1, contract);
        VoucherSubmission Voucher(BigInteger amount) =>
            new(key, amount, typedData.SignVoucher(payer, key.ChannelId.Bytes, amount).ToRsv());
        async Task<PayeeEngine> StartAsync()
        {
            var engine = new PayeeEngine(
                Microsoft.Extensions.Options.Options.Create(new PayeeOptions { ChainId = 1, Contract = contract.ToString() }),
                await OpenStoreAsync(),
                source,
                clock,
                receipts: new Settlement.Channels.Payee.Receipts.ReceiptSigner(payee));
            await engine.StartAsync();
            return engine;
        }

        CloseAgreement agreement;
        await using (var first = await StartAsync())
        {
            (await first.SubmitAsync(Voucher(500))).ShouldBe(new VoucherAccepted(500, 500));
            agreement = (await first.AgreeCloseAsync(key)).ShouldBeOfType<CloseAgreementSigned>().Agreement;
        }

        await using var restarted = await StartAsync();

        ShouldMatch(restarted.GetCloseAgreement(key), agreement);
        (await restarted.SubmitAsync(Voucher(600))).ShouldBe(new VoucherRejected(VoucherRejectCode.CloseAgreed, 500));
        var again = (await restarted.AgreeCloseAsync(key)).ShouldBeOfType<CloseAgreementSigned>();
        again.Repeated.ShouldBeTrue();
        ShouldMatch(again.Agreement, agreement);
        clock.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds((long)agreement.Deadline + 121));
        (await restarted.SubmitAsync(Voucher(600))).ShouldBe(new VoucherAccepted(600, 100));
    }

    [Fact]
    public async Task Migrate_Twice_NoOpThatKeepsData()
    {
        var store = await OpenStoreAsync();
        await store.MigrateAsync();
        await store.SaveNewestAsync([Voucher(Key(), 100, 1)]);

        await store.MigrateAsync();
        var other = await OpenStoreAsync();
        await other.MigrateAsync();

        (await other.GetNewestAsync(Key())).ShouldNotBeNull().Cumulative.ShouldBe(100);
        (await other.SaveNewestAsync([Voucher(Key(), 100, 2)])).ShouldBe([new VoucherWriteResult(false, 100, 100)]);
    }

    [Fact]
    public async Task SaveNewest_TwoInstancesWritingOneChannelConcurrently_EndWithMaxAndResultsFormOneHistory()
    {
        const int PerWriter = 500;
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        await first.MigrateAsync();
        await second.MigrateAsync();

        async Task<List<(BigInteger Amount, VoucherWriteResult Result)>> Write(IVoucherStore store, int offset)
        {
            var seen = new List<(BigInteger, VoucherWriteResult)>();
            for (var i = 0; i < PerWriter; i++)
            {
                BigInteger amount = (2 * i) + offset;
                seen.Add((amount, (await store.SaveNewestAsync([Voucher(Key(), amount, (byte)offset)]))[0]));
            }

            return seen;
        }

        var writers = await Task.WhenAll(Task.Run(() => Write(first, 1)), Task.Run(() => Write(second, 2)));

        var all = writers.SelectMany(w => w).ToList();
        (await first.GetNewestAsync(Key())).ShouldNotBeNull().Cumulative.ShouldBe(2 * PerWriter);
        (await second.GetNewestAsync(Key())).ShouldNotBeNull().Signature[0].ShouldBe((byte)2);
        foreach (var (amount, result) in all)
        {
            if (result.Applied)
            {
                result.Stored.ShouldBe(amount);
                amount.ShouldBeGreaterThan(result.Previous);
            }
            else
            {
                result.Previous.ShouldBe(result.Stored);
                result.Stored.ShouldBeGreaterThanOrEqualTo(amount);
            }
        }

        // Linearizable: the applied writes, in amount order, each saw exactly the one before it.
        var applied = all.Where(x => x.Result.Applied).OrderBy(x => x.Amount).ToList();
        applied[^1].Amount.ShouldBe(2 * PerWriter);
        var previous = BigInteger.Zero;
        foreach (var (amount, result) in applied)
        {
            result.Previous.ShouldBe(previous);
            previous = amount;
        }
    }

    [Fact]
    public async Task SaveNewest_RandomBatches_ResultsFollowTheModelAndEndWithMaxPerKey()
    {
        var store = await OpenStoreAsync();
        await store.MigrateAsync();
        var write = Gen.Zip(Gen.Choose(0, 2), Gen.Choose(1, 60));
        var batches = Gen.NonEmptyListOf(Gen.NonEmptyListOf(write)).ToArbitrary();
        var run = 0;

        Prop.ForAll(batches, plan =>
        {
            // Fresh channels per run (chain id = run number), so runs do not see each other's rows.
            var chain = (ulong)Interlocked.Increment(ref run);
            var model = new Dictionary<int, BigInteger>();
            foreach (var batch in plan)
            {
                var vouchers = batch.Select(w => Voucher(Key(chain: chain, channel: (byte)w.Item1), w.Item2, 1)).ToList();
                var results = store.SaveNewestAsync(vouchers).GetAwaiter().GetResult();
                for (var i = 0; i < batch.Count; i++)
                {
                    var (channel, amount) = batch[i];
                    var previous = model.GetValueOrDefault(channel);
                    var expected = amount > previous
                        ? new VoucherWriteResult(true, previous, amount)
                        : new VoucherWriteResult(false, previous, previous);
                    if (results[i] != expected)
                    {
                        return false;
                    }

                    model[channel] = BigInteger.Max(previous, amount);
                }
            }

            return model.All(entry =>
                store.GetNewestAsync(Key(chain: chain, channel: (byte)entry.Key)).GetAwaiter().GetResult()?.Cumulative == entry.Value);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }

    [Fact]
    public async Task SaveChannel_RoundTrip_AllFieldsIncludingExtremes()
    {
        var store = await OpenStoreAsync();
        var view = new PayeeChannelView(
            Key(chain: ulong.MaxValue),
            new ChannelParameters(Payer, PayeeAddress, Address.Zero, uint.MaxValue, ulong.MaxValue),
            MaxWord,
            0,
            BigInteger.Pow(10, 30),
            1,
            ulong.MaxValue,
            true);
        var channel = new StoredChannel(view, long.MaxValue);

        await store.SaveChannelAsync(channel);

        ShouldMatch(await store.GetChannelAsync(view.Key), channel);
    }

    [Fact]
    public async Task SaveChannel_LowerBlock_KeepsStoredView()
    {
        var store = await OpenStoreAsync();
        var newer = Channel(Key(), 20, deposit: 500);
        await store.SaveChannelAsync(newer);

        await store.SaveChannelAsync(Channel(Key(), 19, deposit: 400));

        ShouldMatch(await store.GetChannelAsync(Key()), newer);
    }

    [Fact]
    public async Task SaveChannel_SameOrHigherBlock_ReplacesView()
    {
        var store = await OpenStoreAsync();
        await store.SaveChannelAsync(Channel(Key(), 20, deposit: 500));

        var same = Channel(Key(), 20, deposit: 600);
        await store.SaveChannelAsync(same);
        ShouldMatch(await store.GetChannelAsync(Key()), same);

        var higher = Channel(Key(), 21, deposit: 700, closeDeadline: 1_800_000_000);
        await store.SaveChannelAsync(higher);
        ShouldMatch(await store.GetChannelAsync(Key()), higher);
        (await store.ListChannelsAsync()).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task SaveChannel_KeysDifferingOnlyInChainContractOrChannel_AreIndependent()
    {
        var store = await OpenStoreAsync();
        ChannelKey[] keys = [Key(), Key(chain: 2), Key(contract: 2), Key(channel: 2)];
        for (var i = 0; i < keys.Length; i++)
        {
            await store.SaveChannelAsync(Channel(keys[i], 10 - (ulong)i, deposit: i + 1));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            (await store.GetChannelAsync(keys[i])).ShouldNotBeNull().View.PayerDeposit.ShouldBe(i + 1);
        }
    }

    [Fact]
    public async Task AppendFlag_SeveralThenListSince_FromSinceOldestFirst()
    {
        var store = await OpenStoreAsync();
        var early = Flag(Key(), VelocityRule.ChannelPaymentsPerSecond, T0);
        var late = Flag(Key(channel: 2), VelocityRule.ChannelValuePerMinute, T0.AddSeconds(30), refused: true);
        var middle = Flag(Key(), VelocityRule.PayerPaymentsPerSecond, T0.AddSeconds(10));
        var sameTime = Flag(Key(chain: 5), VelocityRule.PayerValuePerMinute, T0.AddSeconds(10));
        foreach (var flag in new[] { early, late, middle, sameTime })
        {
            await store.AppendFlagAsync(flag);
        }

        var all = await store.ListFlagsAsync(DateTimeOffset.MinValue);
        var since = await store.ListFlagsAsync(T0.AddSeconds(10));
        var none = await store.ListFlagsAsync(T0.AddSeconds(31));

        all.Count.ShouldBe(4);
        ShouldMatch(all[0], early);
        ShouldMatch(all[1], middle); // equal times: in the order appended
        ShouldMatch(all[2], sameTime);
        ShouldMatch(all[3], late);
        since.Select(f => f.Rule).ShouldBe([VelocityRule.PayerPaymentsPerSecond, VelocityRule.PayerValuePerMinute, VelocityRule.ChannelValuePerMinute]);
        none.ShouldBeEmpty();
    }

    [Fact]
    public async Task ListFlags_SinceInAnotherOffset_ComparedAsUtc()
    {
        var store = await OpenStoreAsync();
        await store.AppendFlagAsync(Flag(Key(), VelocityRule.ChannelPaymentsPerSecond, T0.ToOffset(TimeSpan.FromHours(2))));

        (await store.ListFlagsAsync(T0.AddSeconds(1).ToOffset(TimeSpan.FromHours(-5)))).ShouldBeEmpty();
        (await store.ListFlagsAsync(T0.ToOffset(TimeSpan.FromHours(-5)))).ShouldHaveSingleItem().RaisedAt.ShouldBe(T0);
    }

    [Fact]
    public async Task GetNewest_CorruptSignature_InvalidDataExceptionNamingChannel()
    {
        var store = await OpenStoreAsync();
        await store.SaveNewestAsync([Voucher(Key(chain: 42), 100, 1)]);
        await CorruptVoucherSignaturesAsync();

        var single = await Should.ThrowAsync<InvalidDataException>(() => store.GetNewestAsync(Key(chain: 42)));
        var list = await Should.ThrowAsync<InvalidDataException>(() => store.ListNewestAsync());

        single.Message.ShouldContain(Key(chain: 42).ToString());
        single.Message.ShouldContain("signature");
        list.Message.ShouldContain(Key(chain: 42).ToString());
    }

    [Fact]
    public async Task GetChannel_CorruptRow_InvalidDataExceptionNamingChannel()
    {
        var store = await OpenStoreAsync();
        await store.SaveChannelAsync(Channel(Key(channel: 9), 1));
        await CorruptChannelsAsync();

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.GetChannelAsync(Key(channel: 9)));

        ex.Message.ShouldContain(Key(channel: 9).ToString());
        await Should.ThrowAsync<InvalidDataException>(() => store.ListChannelsAsync());
    }

    [Fact]
    public async Task Methods_CancelledToken_ThrowAndWriteNothing()
    {
        var store = await OpenStoreAsync();
        await store.MigrateAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var token = cancelled.Token;

        await Should.ThrowAsync<OperationCanceledException>(() => store.MigrateAsync(token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.SaveNewestAsync([Voucher(Key(), 1, 1)], token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.GetNewestAsync(Key(), token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ListNewestAsync(token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.SaveChannelAsync(Channel(Key(), 1), token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.GetChannelAsync(Key(), token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ListChannelsAsync(token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.AppendFlagAsync(Flag(Key(), VelocityRule.ChannelPaymentsPerSecond, T0), token));
        await Should.ThrowAsync<OperationCanceledException>(() => store.ListFlagsAsync(T0, token));

        (await store.ListNewestAsync()).ShouldBeEmpty();
        (await store.ListChannelsAsync()).ShouldBeEmpty();
        (await store.ListFlagsAsync(DateTimeOffset.MinValue)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Methods_NullArguments_ArgumentNullException()
    {
        var store = await OpenStoreAsync();

        await Should.ThrowAsync<ArgumentNullException>(() => store.SaveNewestAsync(null!));
        await Should.ThrowAsync<ArgumentNullException>(() => store.SaveNewestAsync([null!]));
        await Should.ThrowAsync<ArgumentNullException>(() => store.SaveNewestAsync([Voucher(Key(), 1, 1) with { Signature = null! }]));
        await Should.ThrowAsync<ArgumentNullException>(() => store.SaveChannelAsync(null!));
        await Should.ThrowAsync<ArgumentNullException>(() => store.SaveChannelAsync(new StoredChannel(null!, 1)));
        await Should.ThrowAsync<ArgumentNullException>(() => store.AppendFlagAsync(null!));
    }

    [Fact]
    public async Task Methods_NullArgumentsBesideVouchers_NameTheParameterAndWriteNothing()
    {
        var store = await OpenStoreAsync();

        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveCloseAgreementAsync(null!))).ParamName.ShouldBe("agreement");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveCloseRequestAsync(null!))).ParamName.ShouldBe("request");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveRefundAsync(null!))).ParamName.ShouldBe("refund");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.GetRefundAsync(Key(), null!))).ParamName.ShouldBe("idempotencyKey");

        (await store.ListCloseAgreementsAsync()).ShouldBeEmpty();
        (await store.ListCloseRequestsAsync()).ShouldBeEmpty();
        (await store.ListNewestRefundsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task SaveNewest_EmptyBatchWithCancelledToken_Throws()
    {
        var store = await OpenStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => store.SaveNewestAsync([], cancelled.Token));
    }

    [Fact]
    public async Task SaveNewest_InvalidVoucherInBatch_ArgumentExceptionAndNothingWritten()
    {
        var store = await OpenStoreAsync();
        var good = Voucher(Key(), 10, 1);

        await Should.ThrowAsync<ArgumentException>(() => store.SaveNewestAsync([good, Voucher(Key(channel: 2), 0, 1)]));
        await Should.ThrowAsync<ArgumentException>(() => store.SaveNewestAsync([good, Voucher(Key(channel: 2), StorageLimit, 1)]));
        await Should.ThrowAsync<ArgumentException>(() => store.SaveNewestAsync([good, good with { Signature = new byte[64] }]));
        await Should.ThrowAsync<ArgumentException>(() => store.SaveNewestAsync([good, good with { Signature = new byte[65] }]));
        await Should.ThrowAsync<ArgumentException>(() => store.SaveChannelAsync(Channel(Key(), (ulong)long.MaxValue + 1)));
        await Should.ThrowAsync<ArgumentException>(() => store.AppendFlagAsync(Flag(Key(), (VelocityRule)99, T0)));

        (await store.ListNewestAsync()).ShouldBeEmpty();
    }

    /// <summary>Vouchers carry amounts below 2^96.</summary>
    protected static BigInteger StorageLimit { get; } = BigInteger.One << 96;

    protected static ChannelKey Key(ulong chain = 1, byte contract = 1, byte channel = 1)
    {
        var contractBytes = new byte[20];
        contractBytes[19] = contract;
        var channelBytes = new byte[32];
        channelBytes[0] = 0xC0;
        channelBytes[31] = channel;
        return new ChannelKey(chain, Address.FromBytes(contractBytes), ChannelId.FromBytes(channelBytes));
    }

    /// <summary>A voucher whose signature starts with <paramref name="tag"/> (to tell stored rows apart) and ends with v = 27.</summary>
    protected static StoredVoucher Voucher(ChannelKey key, BigInteger amount, byte tag, int seconds = 0)
    {
        var signature = new byte[65];
        signature.AsSpan(0, 64).Fill(tag);
        signature[64] = 27;
        return new StoredVoucher(key, Payer, amount, signature, T0.AddSeconds(seconds));
    }

    protected static StoredChannel Channel(ChannelKey key, ulong block, BigInteger? deposit = null, ulong closeDeadline = 0) =>
        new(
            new PayeeChannelView(
                key,
                new ChannelParameters(Payer, PayeeAddress, Address.FromBytes(Enumerable.Repeat((byte)0x70, 20).ToArray()), 3600, 7),
                deposit ?? 1_000_000,
                250,
                0,
                0,
                closeDeadline,
                false),
            block);

    protected static VelocityFlag Flag(ChannelKey key, VelocityRule rule, DateTimeOffset at, bool refused = false) =>
        new(key, Payer, rule, 1_000_000_000_000_000_000, 500, refused, at);

    protected static CloseAgreement Agreement(ChannelKey key, BigInteger payerToPayee, BigInteger payeeToPayer, ulong deadline, byte tag)
    {
        var signature = new byte[65];
        signature.AsSpan(0, 64).Fill(tag);
        signature[64] = 28;
        return new CloseAgreement(key, payerToPayee, payeeToPayer, deadline, signature);
    }

    private static void ShouldMatch(CloseAgreement? actual, CloseAgreement expected)
    {
        actual.ShouldNotBeNull();
        actual.Key.ShouldBe(expected.Key);
        actual.PayerToPayee.ShouldBe(expected.PayerToPayee);
        actual.PayeeToPayer.ShouldBe(expected.PayeeToPayer);
        actual.Deadline.ShouldBe(expected.Deadline);
        actual.Signature.ShouldBe(expected.Signature);
    }

    private static void ShouldMatch(StoredVoucher? actual, StoredVoucher expected)
    {
        actual.ShouldNotBeNull();
        actual.Key.ShouldBe(expected.Key);
        actual.Signer.ShouldBe(expected.Signer);
        actual.Cumulative.ShouldBe(expected.Cumulative);
        actual.Signature.ShouldBe(expected.Signature);
        actual.ReceivedAt.ShouldBe(expected.ReceivedAt);
        actual.ReceivedAt.Offset.ShouldBe(TimeSpan.Zero);
    }

    private static void ShouldMatch(StoredChannel? actual, StoredChannel expected)
    {
        actual.ShouldNotBeNull();

        // Records compare by value (addresses and ids by bytes).
        actual.ShouldBe(expected);
    }

    private static void ShouldMatch(VelocityFlag actual, VelocityFlag expected)
    {
        actual.ShouldBe(expected);
        actual.RaisedAt.Offset.ShouldBe(TimeSpan.Zero);
    }

    private sealed class OneChannelSource(StoredChannel channel) : IChannelViewSource
    {
        public Task<StoredChannel?> GetConfirmedAsync(ChannelKey key, CancellationToken cancellationToken = default) =>
            Task.FromResult(key == channel.View.Key ? channel : null);
    }
}
