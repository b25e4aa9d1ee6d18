using System.Numerics;
using Microsoft.Data.Sqlite;
using Settlement.Channels.Contracts;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Payer;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Payer;

/// <summary>
/// The payer's deposit read at <c>head − DepositConfirmations</c> on Anvil: a deposit or top-up counts towards
/// <see cref="PayerChannel.Remaining"/> only once it is that deep, and a reorg that drops a confirmed-too-early top-up
/// is not paid against.
/// </summary>
public sealed class AnvilPayerConfirmedDepositTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    [Fact]
    public async Task Open_DepositNotYetConfirmed_PaymentsRefusedUntilThreeBlocksDeep()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        await using var store = new SqlitePayerStore(db.Path);
        await using var client = new PayerClient(w.Channels, w.Rpc, w.PayerKey, store, new PayerClientOptions { Transactor = w.Payer, DepositConfirmations = 3 });

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 1_000_000));

        (await w.Channels.GetStateAsync(channel.Id)).PayerDeposit.ShouldBe(new BigInteger(1_000_000)); // on chain, at the newest block
        channel.Deposit.ShouldBe(BigInteger.Zero);
        channel.Remaining.ShouldBe(BigInteger.Zero);
        var refused = (await channel.PayAsync(10)).ShouldBeOfType<PaymentRefused>();
        refused.Reason.ShouldBe(PaymentRefusalReason.ExceedsDeposit);
        (await store.GetChannelAsync(channel.Key))!.Signed.ShouldBeNull();

        await node.MineAsync(2);
        await channel.RefreshAsync();
        channel.Deposit.ShouldBe(BigInteger.Zero); // two blocks deep: not yet

        await node.MineAsync(1);
        await channel.RefreshAsync();
        channel.Deposit.ShouldBe(new BigInteger(1_000_000));
        (await store.GetChannelAsync(channel.Key))!.Record.Deposit.ShouldBe(new BigInteger(1_000_000));
        (await channel.PayAsync(400_000)).ShouldBeOfType<PaymentSigned>();
    }

    [Fact]
    public async Task TopUp_CountsOnceConfirmedAndNotAfterAReorgDroppedIt()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        await using var store = new SqlitePayerStore(db.Path);
        await using var client = new PayerClient(w.Channels, w.Rpc, w.PayerKey, store, new PayerClientOptions { Transactor = w.Payer, DepositConfirmations = 2 });
        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 1_000_000));
        await node.MineAsync(2);
        await channel.RefreshAsync();
        (await channel.PayAsync(400_000)).ShouldBeOfType<PaymentSigned>();
        var beforeTopUp = await node.SnapshotAsync();

        var newest = await channel.TopUpAsync(500_000);

        newest.ShouldBe(new BigInteger(1_500_000));
        channel.Deposit.ShouldBe(new BigInteger(1_000_000));
        (await channel.PayAsync(700_000)).ShouldBeOfType<PaymentRefused>().Reason.ShouldBe(PaymentRefusalReason.ExceedsDeposit);
        channel.Signed.ShouldBe(new BigInteger(400_000));

        // Replaced by a longer branch without the top-up before it was deep enough: it never counts.
        (await node.RevertAsync(beforeTopUp)).ShouldBeTrue();
        await node.MineAsync(4);
        await channel.RefreshAsync();
        channel.Deposit.ShouldBe(new BigInteger(1_000_000));
        channel.Remaining.ShouldBe(new BigInteger(600_000));

        // The reverted top-up's nonce is free again: a sender that reads the nonce afresh sends the next one.
        var afterReorg = new SignedTransactor(new TransactionSender(w.Rpc, new NonceManager(w.Rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(5) }), w.PayerKey);
        await channel.TopUpAsync(500_000, afterReorg);
        await node.MineAsync(2);
        await channel.RefreshAsync();
        channel.Deposit.ShouldBe(new BigInteger(1_500_000));
        (await channel.PayAsync(700_000)).ShouldBeOfType<PaymentSigned>().Voucher.Voucher.CumulativeAmount.ShouldBe(new BigInteger(1_100_000));
    }

    [Fact]
    public async Task Open_NoConfirmations_DepositCountsAtOnce()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        await using var store = new SqlitePayerStore(db.Path);
        await using var client = new PayerClient(w.Channels, w.Rpc, w.PayerKey, store, new PayerClientOptions { Transactor = w.Payer });

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 1_000_000));

        channel.Deposit.ShouldBe(new BigInteger(1_000_000));
        (await channel.PayAsync(10)).ShouldBeOfType<PaymentSigned>();
        SqliteConnection.ClearAllPools();
    }
}
