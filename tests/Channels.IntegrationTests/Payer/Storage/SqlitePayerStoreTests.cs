using System.Numerics;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.IntegrationTests.Payer.Storage;

/// <summary>The payer's SQLite store: monotone amounts, round trips, a 0600 file, append-only receipts, other deployments kept apart.</summary>
public sealed class SqlitePayerStoreTests : IDisposable
{
    private static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-payer-");
    private readonly PrivateKey _payer = PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray());
    private readonly PrivateKey _payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());

    private string DatabasePath => Path.Combine(_directory.FullName, "payer.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        _payer.Dispose();
        _payee.Dispose();
    }

    [Fact]
    public async Task SaveVouchers_HigherThenLower_KeepsHighestSignedAndAcknowledged()
    {
        var store = new SqlitePayerStore(DatabasePath);
        var record = Record(1);
        await store.SaveChannelAsync(record);

        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 500), 100)]);
        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 300), 50)]);

        var stored = await new SqlitePayerStore(DatabasePath).GetChannelAsync(record.Key);
        stored.ShouldNotBeNull();
        stored.Record.ShouldBe(record);
        stored.Signed.ShouldBe(Sign(record, 500));
        stored.Acknowledged.ShouldBe(new BigInteger(100));
        stored.Exposure.ShouldBe(new BigInteger(400));
        stored.Refund.ShouldBeNull();
    }

    [Fact]
    public async Task SaveVouchers_UnknownChannel_ThrowsAndWritesNothing()
    {
        var store = new SqlitePayerStore(DatabasePath);
        var known = Record(1);
        var unknown = Record(2);
        await store.SaveChannelAsync(known);

        var ex = await Should.ThrowAsync<InvalidOperationException>(() =>
            store.SaveVouchersAsync([new PayerVoucherWrite(known.Key, Sign(known, 5), null), new PayerVoucherWrite(unknown.Key, Sign(unknown, 5), null)]));

        ex.Message.ShouldContain("is not stored");
        (await store.GetChannelAsync(known.Key))!.Signed.ShouldBeNull();
    }

    [Fact]
    public async Task SaveChannel_Again_UpdatesDepositKeepsVouchersAndStatusNeverMovesBack()
    {
        var store = new SqlitePayerStore(DatabasePath);
        var record = Record(1);
        await store.SaveChannelAsync(record with { Status = PayerChannelStatus.Closing });
        await store.SaveVouchersAsync([new PayerVoucherWrite(record.Key, Sign(record, 10), null)]);

        await store.SaveChannelAsync(record with { Deposit = 9_999, PayeeStreamUrl = null, Status = PayerChannelStatus.Open });

        var stored = (await store.GetChannelAsync(record.Key))!;
        stored.Record.Deposit.ShouldBe(new BigInteger(9_999));
        stored.Record.Status.ShouldBe(PayerChannelStatus.Closing);
        stored.Record.PayeeStreamUrl.ShouldBe(record.PayeeStreamUrl);
        stored.SignedAmount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task SaveRefund_OnlyHigherReplaces()
    {
        var store = new SqlitePayerStore(DatabasePath);
        var record = Record(1);
        await store.SaveChannelAsync(record);
        var refund = new ChannelContractDomain(record).Sign(_payee, 70);

        (await store.SaveRefundAsync(record.Key, refund)).ShouldBeTrue();
        (await store.SaveRefundAsync(record.Key, new ChannelContractDomain(record).Sign(_payee, 70))).ShouldBeFalse();
        (await store.SaveRefundAsync(record.Key, new ChannelContractDomain(record).Sign(_payee, 60))).ShouldBeFalse();

        (await store.GetChannelAsync(record.Key))!.Refund.ShouldBe(refund);
    }

    [Fact]
    public async Task Receipts_AppendedInOrderPerChannelAndNeverChanged()
    {
        var store = new SqlitePayerStore(DatabasePath);
        var a = Record(1);
        var b = Record(2);
        await store.SaveChannelAsync(a);
        await store.SaveChannelAsync(b);
        var signer = new Channels.Payee.Receipts.ReceiptSigner(_payee);
        var at = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        foreach (var amount in new[] { 10, 20, 30 })
        {
            var r = signer.Sign(a.Key, amount, (ulong)amount);
            await store.AppendReceiptAsync(new PayerReceipt(a.Key, r.Cumulative, r.IssuedAt, r.Signature, at.AddSeconds(amount)));
        }

        var listed = await store.ListReceiptsAsync(a.Key);
        listed.Select(r => (int)r.Cumulative).ShouldBe([10, 20, 30]);
        listed.ShouldAllBe(r => r.ToPaymentReceipt().IsSignedBy(_payee.Address));
        listed[2].ReceivedAt.ShouldBe(at.AddSeconds(30));
        (await store.ListReceiptsAsync(b.Key)).ShouldBeEmpty();

        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM payer_receipts";
        (await Should.ThrowAsync<SqliteException>(() => delete.ExecuteNonQueryAsync())).Message.ShouldContain("append-only");
    }

    [Fact]
    public async Task Migrate_NewFile_OwnerOnlyAndWal()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = new SqlitePayerStore(DatabasePath);
        await store.SaveChannelAsync(Record(1));

        File.GetUnixFileMode(DatabasePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(DatabasePath + "-wal").ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        (await command.ExecuteScalarAsync()).ShouldBe("wal");
    }

    [Fact]
    public async Task SameChannelIdInAnotherDeployment_KeptApart()
    {
        var store = new SqlitePayerStore(DatabasePath);
        var here = Record(1);
        var otherChain = here with { Key = here.Key with { ChainId = 1 } };
        await store.SaveChannelAsync(here);
        await store.SaveChannelAsync(otherChain);

        await store.SaveVouchersAsync([new PayerVoucherWrite(here.Key, Sign(here, 42), null)]);

        (await store.GetChannelAsync(here.Key))!.SignedAmount.ShouldBe(new BigInteger(42));
        (await store.GetChannelAsync(otherChain.Key))!.Signed.ShouldBeNull();
        (await store.ListChannelsAsync()).Count.ShouldBe(2);
    }

    private PayerChannelRecord Record(ulong nonce)
    {
        var parameters = new ChannelParameters(_payer.Address, _payee.Address, Address.Zero, 3600, nonce);
        return new PayerChannelRecord(new ChannelKey(31337, Contract, parameters.Id), parameters, 1_000_000, 0, new Uri("ws://127.0.0.1:7070/v1/stream"), PayerChannelStatus.Open);
    }

    private SignedVoucher Sign(PayerChannelRecord record, BigInteger amount) => new ChannelContractDomain(record).Sign(_payer, amount);

    private sealed class ChannelContractDomain(PayerChannelRecord record)
    {
        private readonly ChannelDomain _domain = new(record.Key.ChainId, record.Key.Contract);

        public SignedVoucher Sign(PrivateKey key, BigInteger amount)
        {
            var voucher = new Voucher(record.Key.ChannelId, amount);
            return new SignedVoucher(voucher, voucher.Sign(key, _domain));
        }
    }
}
