using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.IntegrationTests.Payer.Storage;

/// <summary>
/// What every <see cref="IPayerStore"/> must do (monotone amounts, round trips, append-only receipts, meters, other
/// deployments kept apart), run against each backend by a sealed subclass that says how to open a store on its storage
/// (a new instance on the same file or database each time) and how to try to change a receipt.
/// </summary>
public abstract class PayerStoreContract : IAsyncLifetime
{
    protected static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly BigInteger MaxWord = (BigInteger.One << 256) - 1;
    private readonly PrivateKey _payer = PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray());
    private readonly PrivateKey _payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());

    /// <summary>A new store instance on this test's storage (same file / database every call).</summary>
    protected abstract Task<IPayerStore> OpenStoreAsync();

    /// <summary>Tries to delete every receipt with the backend's own SQL; returns the error it raised.</summary>
    protected abstract Task<Exception> DeleteReceiptsAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        _payer.Dispose();
        _payee.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SaveVouchers_HigherThenLower_KeepsHighestSignedAndAcknowledged()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);

        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 500), 100)]);
        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 300), 50)]);

        var stored = await (await OpenStoreAsync()).GetChannelAsync(record.Key);
        stored.ShouldNotBeNull();
        stored.Record.ShouldBe(record);
        stored.Signed.ShouldBe(Sign(record, 500));
        stored.Acknowledged.ShouldBe(new BigInteger(100));
        stored.Exposure.ShouldBe(new BigInteger(400));
        stored.Refund.ShouldBeNull();
    }

    [Fact]
    public async Task SaveVouchers_AmountsAcrossByteBoundaries_ComparedNumerically()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);

        // 256 > 255 although its first non-zero byte is smaller: the words must compare as numbers.
        foreach (var amount in new BigInteger[] { 255, 256, 255, 65_535, 65_536, 1 })
        {
            await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, amount), amount)]);
        }

        var stored = (await store.GetChannelAsync(record.Key))!;
        stored.SignedAmount.ShouldBe(new BigInteger(65_536));
        stored.Acknowledged.ShouldBe(new BigInteger(65_536));
    }

    [Fact]
    public async Task SaveVouchers_OnlyAcknowledged_KeepsSignedVoucher()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 80), null)]);

        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, null, 80)]);

        var stored = (await store.GetChannelAsync(record.Key))!;
        stored.Signed.ShouldBe(Sign(record, 80));
        stored.Acknowledged.ShouldBe(new BigInteger(80));
        stored.Exposure.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task SaveVouchers_SeveralChannelsInOneBatch_EachApplied()
    {
        var store = await OpenStoreAsync();
        var records = Enumerable.Range(1, 5).Select(i => Record((ulong)i)).ToList();
        foreach (var record in records)
        {
            await store.SaveChannelAsync(record);
        }

        await store.SaveVouchersAsync(records.AsEnumerable().Reverse().Select((r, i) => new PayerVoucherWrite(r.Key, Sign(r, 10 + i), i)).ToList());

        var listed = await store.ListChannelsAsync();
        listed.Count.ShouldBe(5);
        listed.Select(c => c.Record.Key).ShouldBe(records.Select(r => r.Key).OrderBy(k => k.ChainId).ThenBy(k => Convert.ToHexString(k.Contract.Bytes)).ThenBy(k => Convert.ToHexString(k.ChannelId.Bytes)));
        foreach (var (record, i) in records.AsEnumerable().Reverse().Select((r, i) => (r, i)))
        {
            listed.Single(c => c.Record.Key == record.Key).SignedAmount.ShouldBe(new BigInteger(10 + i));
        }
    }

    [Fact]
    public async Task SaveVouchers_UnknownChannel_ThrowsAndWritesNothing()
    {
        var store = await OpenStoreAsync();
        var known = Record(1);
        var unknown = Record(2);
        await store.SaveChannelAsync(known);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() =>
            store.SaveVouchersAsync([new PayerVoucherWrite(known.Key, Sign(known, 5), null), new PayerVoucherWrite(unknown.Key, Sign(unknown, 5), null)]));

        ex.Message.ShouldContain("is not stored");
        (await store.GetChannelAsync(known.Key))!.Signed.ShouldBeNull();
        (await store.GetChannelAsync(unknown.Key)).ShouldBeNull();
    }

    [Fact]
    public async Task SaveVouchers_AmountAboveAWord_RefusedBeforeWriting()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, null, MaxWord + 1)]));

        (await store.GetChannelAsync(record.Key))!.Acknowledged.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task SaveChannel_Again_UpdatesDepositKeepsVouchersAndStatusNeverMovesBack()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record with { Status = PayerChannelStatus.Closing });
        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 10), null)]);

        await store.SaveChannelAsync(record with { Deposit = 9_999, PayeeDeposit = 7, PayeeStreamUrl = null, Status = PayerChannelStatus.Open });

        var stored = (await store.GetChannelAsync(record.Key))!;
        stored.Record.Deposit.ShouldBe(new BigInteger(9_999));
        stored.Record.PayeeDeposit.ShouldBe(new BigInteger(7));
        stored.Record.Status.ShouldBe(PayerChannelStatus.Closing);
        stored.Record.PayeeStreamUrl.ShouldBe(record.PayeeStreamUrl);
        stored.SignedAmount.ShouldBe(new BigInteger(10));

        await store.SaveChannelAsync(record with { Status = PayerChannelStatus.Closed, PayeeStreamUrl = new Uri("ws://127.0.0.1:7071/v1/stream") });
        stored = (await store.GetChannelAsync(record.Key))!;
        stored.Record.Status.ShouldBe(PayerChannelStatus.Closed);
        stored.Record.PayeeStreamUrl.ShouldBe(new Uri("ws://127.0.0.1:7071/v1/stream"));
    }

    [Fact]
    public async Task SaveChannel_LargestValues_RoundTrip()
    {
        var store = await OpenStoreAsync();
        var parameters = new ChannelParameters(_payer.Address, _payee.Address, Address.FromBytes(Enumerable.Repeat((byte)0xEE, 20).ToArray()), uint.MaxValue, ulong.MaxValue);
        var record = new PayerChannelRecord(new ChannelKey(ulong.MaxValue, Contract, parameters.Id), parameters, MaxWord, MaxWord, null, PayerChannelStatus.Open);

        await store.SaveChannelAsync(record);

        (await (await OpenStoreAsync()).GetChannelAsync(record.Key))!.Record.ShouldBe(record);
    }

    [Fact]
    public async Task SaveRefund_OnlyHigherReplaces()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        var refund = Sign(record, 70, _payee);

        (await store.SaveRefundAsync(record.Key, refund)).ShouldBeTrue();
        (await store.SaveRefundAsync(record.Key, Sign(record, 70, _payee))).ShouldBeFalse();
        (await store.SaveRefundAsync(record.Key, Sign(record, 60, _payee))).ShouldBeFalse();
        (await store.SaveRefundAsync(Record(9).Key, Sign(record, 90, _payee))).ShouldBeFalse();

        var stored = (await (await OpenStoreAsync()).GetChannelAsync(record.Key))!;
        stored.Refund.ShouldBe(refund);
        stored.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task Receipts_AppendedInOrderPerChannelAndNeverChanged()
    {
        var store = await OpenStoreAsync();
        var a = Record(1);
        var b = Record(2);
        await store.SaveChannelAsync(a);
        await store.SaveChannelAsync(b);
        var signer = new Channels.Payee.Receipts.ReceiptSigner(_payee);
        var at = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        foreach (var amount in new[] { 10, 30, 20 })
        {
            var r = signer.Sign(a.Key, amount, (ulong)amount);
            await store.AppendReceiptAsync(new PayerReceipt(a.Key, r.Cumulative, r.IssuedAt, r.Signature, at.AddSeconds(amount)));
        }

        var listed = await (await OpenStoreAsync()).ListReceiptsAsync(a.Key);
        listed.Select(r => (int)r.Cumulative).ShouldBe([10, 30, 20]);
        listed.Select(r => r.IssuedAt).ShouldBe([10UL, 30UL, 20UL]);
        listed.ShouldAllBe(r => r.ToPaymentReceipt().IsSignedBy(_payee.Address));
        listed[1].ReceivedAt.ShouldBe(at.AddSeconds(30));
        (await store.ListReceiptsAsync(b.Key)).ShouldBeEmpty();

        (await DeleteReceiptsAsync()).Message.ShouldContain("append-only");
        (await store.ListReceiptsAsync(a.Key)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task SameChannelIdInAnotherDeployment_KeptApart()
    {
        var store = await OpenStoreAsync();
        var here = Record(1);
        var otherChain = here with { Key = here.Key with { ChainId = 1 } };
        var otherContract = here with { Key = here.Key with { Contract = Address.FromBytes(Enumerable.Repeat((byte)0x77, 20).ToArray()) } };
        await store.SaveChannelAsync(here);
        await store.SaveChannelAsync(otherChain);
        await store.SaveChannelAsync(otherContract);

        await store.SaveVouchersAsync([new PayerVoucherWrite(here.Key, Sign(here, 42), 1)]);
        await store.SaveMeterAsync(new PayerMeterState(here.Key, "meter", 5, 0, 42, 0, 0));

        (await store.GetChannelAsync(here.Key))!.SignedAmount.ShouldBe(new BigInteger(42));
        (await store.GetChannelAsync(otherChain.Key))!.Signed.ShouldBeNull();
        (await store.GetChannelAsync(otherContract.Key))!.Acknowledged.ShouldBe(BigInteger.Zero);
        (await store.GetMeterAsync(otherChain.Key, "meter")).ShouldBeNull();
        (await store.ListChannelsAsync()).Count.ShouldBe(3);
    }

    [Fact]
    public async Task Meter_SavedTwice_NewestKeptPerName()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        var first = new PayerMeterState(record.Key, "meter", 1_500, 0, 45, 40, 5);
        var second = new PayerMeterState(record.Key, "meter", 3_000, TimeSpan.FromSeconds(2.5).Ticks, 40, 0, 0);

        await store.SaveMeterAsync(first);
        await store.SaveMeterAsync(second);
        await store.SaveMeterAsync(new PayerMeterState(record.Key, "bytes", MaxWord, long.MaxValue, MaxWord, MaxWord, MaxWord));

        var reopened = await OpenStoreAsync();
        (await reopened.GetMeterAsync(record.Key, "meter")).ShouldBe(second);
        (await reopened.GetMeterAsync(record.Key, "bytes")).ShouldBe(new PayerMeterState(record.Key, "bytes", MaxWord, long.MaxValue, MaxWord, MaxWord, MaxWord));
        (await reopened.GetMeterAsync(record.Key, "seconds")).ShouldBeNull();
    }

    [Fact]
    public async Task Meter_UnknownChannel_ThrowsAndStoresNothing()
    {
        var store = await OpenStoreAsync();
        var unknown = Record(3);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.SaveMeterAsync(new PayerMeterState(unknown.Key, "meter", 1, 0, 1, 0, 0)));

        ex.Message.ShouldContain("is not stored");
        (await store.GetMeterAsync(unknown.Key, "meter")).ShouldBeNull();
    }

    [Fact]
    public async Task Meter_NegativeTicks_Refused()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.SaveMeterAsync(new PayerMeterState(record.Key, "meter", 1, -1, 1, 0, 0)));

        (await store.GetMeterAsync(record.Key, "meter")).ShouldBeNull();
    }

    [Fact]
    public async Task BadArguments_NameTheParameterAndStoreNothing()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);
        var key = record.Key;

        await ShouldRefuseBadArgumentsAsync(store, key);

        (await store.ListReceiptsAsync(key)).ShouldBeEmpty();
        (await store.ListChannelsAsync()).ShouldHaveSingleItem().Record.ShouldBe(record);
    }

    /// <summary>Every argument check of the store, each naming its parameter.</summary>
    protected static async Task ShouldRefuseBadArgumentsAsync(IPayerStore store, ChannelKey key)
    {
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveChannelAsync(null!))).ParamName.ShouldBe("channel");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveVouchersAsync(null!))).ParamName.ShouldBe("writes");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveRefundAsync(key, null!))).ParamName.ShouldBe("refund");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.AppendReceiptAsync(null!))).ParamName.ShouldBe("receipt");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveMeterAsync(null!))).ParamName.ShouldBe("meter");
        (await Should.ThrowAsync<ArgumentException>(() => store.SaveMeterAsync(new PayerMeterState(key, "", 1, 1, 1, 0, 0)))).ParamName.ShouldBe("meter");
        (await Should.ThrowAsync<ArgumentException>(() => store.GetMeterAsync(key, ""))).ParamName.ShouldBe("name");
    }

    [Fact]
    public async Task Migrate_Twice_KeepsData()
    {
        var store = await OpenStoreAsync();
        var record = Record(1);
        await store.SaveChannelAsync(record);

        await store.MigrateAsync();
        var again = await OpenStoreAsync();
        await again.MigrateAsync();

        (await again.GetChannelAsync(record.Key))!.Record.ShouldBe(record);
    }

    protected PayerChannelRecord Record(ulong nonce)
    {
        var parameters = new ChannelParameters(_payer.Address, _payee.Address, Address.Zero, 3600, nonce);
        return new PayerChannelRecord(new ChannelKey(31337, Contract, parameters.Id), parameters, 1_000_000, 0, new Uri("ws://127.0.0.1:7070/v1/stream"), PayerChannelStatus.Open);
    }

    protected SignedVoucher Sign(PayerChannelRecord record, BigInteger amount, PrivateKey? key = null)
    {
        var domain = new ChannelDomain(record.Key.ChainId, record.Key.Contract);
        var voucher = new Voucher(record.Key.ChannelId, amount);
        return new SignedVoucher(voucher, voucher.Sign(key ?? _payer, domain));
    }
}
