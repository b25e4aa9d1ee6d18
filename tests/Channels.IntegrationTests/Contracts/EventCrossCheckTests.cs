using System.Globalization;
using System.Numerics;
using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;
using Settlement.Testing.Abi;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>
/// Every event the channel contract emits, triggered on a real Anvil with distinct values in every field (the funder is
/// not the payer, the closer is the payee once and the payer once, amounts and totals all differ), read back raw with
/// <c>eth_getLogs</c> and decoded twice: by our <see cref="ChannelContract.TryDecodeEvents(LogEntry, out IReadOnlyList{ChannelEvent})"/> and, independently, by
/// ethers.js (tests/TestSupport/decode-logs-ethers.cjs, from the compiled ABI). Every field of every log must be
/// equal in both, and equal to what the transactions did on chain (sender, block, timestamp, channel state, balances).
/// </summary>
public sealed class EventCrossCheckTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    private const uint LongPeriod = 4_000; // channel A; the batch channels share ChannelWorld.Period (3,600)

    [Fact]
    public async Task EveryEvent_DecodedFieldsEqualEthersAndChain()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        var from = await node.BlockNumberAsync() + 1;
        var expected = new List<(string Tx, string Name, Dictionary<string, string> Args)>();
        var payer = w.PayerKey.Address;
        var payee = w.PayeeKey.Address;
        var platform = w.PlatformKey.Address;
        var other = w.OtherKey.Address;
        var token = w.Token.Address;
        foreach (var t in new[] { w.Payer, w.Payee, w.Platform, w.Other })
        {
            await w.Token.ApproveAsync(t, w.Channels.Address, ChannelWorld.StartingTokens);
        }

        // Channel A: opened by a third party for the payer, both sides topped up by others, redeemed both ways.
        var escrowBefore = await w.Token.BalanceOfAsync(w.Channels.Address);
        var openedA = await w.Channels.OpenAsync(w.Other, payer, payee, token, LongPeriod, 1_234_567);
        var a = openedA.Channel;
        var openTx = Hex.Encode(openedA.TransactionHash!.ToArray());
        (await SenderAsync(openTx)).ShouldBe(other);
        (await w.Token.BalanceOfAsync(w.Channels.Address) - escrowBefore).ShouldBe(new BigInteger(1_234_567));
        expected.Add((openTx, "ChannelOpened", Args(
            ("channelId", a.Id), ("payer", payer), ("payee", payee), ("token", token), ("funder", other),
            ("challengePeriod", LongPeriod), ("nonce", await BlockOfAsync(openTx)), ("deposit", 1_234_567))));

        var topUp = await w.Channels.TopUpAsync(w.Platform, a, 222_222);
        expected.Add((Tx(topUp), "ChannelToppedUp", Args(
            ("channelId", a.Id), ("payer", payer), ("payee", payee), ("token", token), ("funder", platform),
            ("payeeSide", false), ("amount", 222_222), ("deposit", (await w.Channels.GetStateAsync(a.Id)).PayerDeposit))));
        var topUpPayee = await w.Channels.TopUpPayeeAsync(w.Other, a, 33_333);
        expected.Add((Tx(topUpPayee), "ChannelToppedUp", Args(
            ("channelId", a.Id), ("payer", payer), ("payee", payee), ("token", token), ("funder", other),
            ("payeeSide", true), ("amount", 33_333), ("deposit", (await w.Channels.GetStateAsync(a.Id)).PayeeDeposit))));
        (await w.Channels.GetStateAsync(a.Id)).ShouldBe(new ChannelState(true, 1_456_789, 0, 33_333, 0, 0));

        await RedeemAsync(w.Other, w.PayerKey, 400_001, payee, payerToPayee: true, 400_001);
        await RedeemAsync(w.Platform, w.PayeeKey, 12_345, payer, payerToPayee: false, 12_345);
        await RedeemAsync(w.Other, w.PayerKey, 500_002, payee, payerToPayee: true, 100_001);
        (await w.Channels.GetStateAsync(a.Id)).ShouldBe(new ChannelState(true, 1_456_789, 500_002, 33_333, 12_345, 0));

        // Channels of the batch (challenge period 3,600): two payers, a channel redeemed beyond its item, one that will
        // be settled and one whose window will be over.
        var d1 = await w.OpenAsync(90_000);
        var d2 = (await w.Channels.OpenAsync(w.Platform, platform, payee, token, ChannelWorld.Period, 80_000)).Channel;
        var d3 = await w.OpenAsync(70_000);
        await w.Channels.RedeemAsync(w.Payee, d3, w.Channels.SignVoucher(w.PayerKey, d3.Id, 6_000));
        var b = await w.OpenAsync(60_000);
        var e = await w.OpenAsync(50_000);

        // Closings: the payee closes A, the payer closes B, the payee closes E (the closer is never implied).
        await CloseAsync(w.Payee, a, LongPeriod);
        await CloseAsync(w.Payer, b, ChannelWorld.Period);
        await CloseAsync(w.Payee, e, ChannelWorld.Period);

        await node.IncreaseTimeAsync(LongPeriod + 1);
        await node.MineAsync();
        await SettleAsync(a, 1_456_789 - 500_002, 33_333 - 12_345);
        await SettleAsync(b, 60_000, 0);

        // Cooperative close of C: both sides funded, both directions in the agreed state.
        var c = await w.OpenAsync(300_000);
        await w.Channels.TopUpPayeeAsync(w.Payee, c, 50_000);
        var final = new CooperativeCloseState(c.Id, 123_456, 7_890, await w.CloseDeadlineAsync());
        var (payerBefore, payeeBefore) = (await w.Token.BalanceOfAsync(payer), await w.Token.BalanceOfAsync(payee));
        var coop = await w.Channels.CooperativeCloseAsync(w.Other, c, final, final.Sign(w.PayerKey, w.Channels.Domain), final.Sign(w.PayeeKey, w.Channels.Domain));
        var (toPayer, toPayee) = (await w.Token.BalanceOfAsync(payer) - payerBefore, await w.Token.BalanceOfAsync(payee) - payeeBefore);
        (toPayer, toPayee).ShouldBe((new BigInteger(300_000 - 123_456 + 7_890), new BigInteger(50_000 - 7_890 + 123_456)));
        (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
        expected.Add((Tx(coop), "ChannelSettled", Args(
            ("channelId", c.Id), ("payer", payer), ("payee", payee), ("token", token), ("cooperative", true), ("toPayer", toPayer), ("toPayee", toPayee))));

        // The batch: D1 and D2 paid, B settled (2), D3 already redeemed beyond (1), E's window over (3).
        List<(ChannelParameters Channel, SignedVoucher Voucher)> batch =
        [
            (d1, w.Channels.SignVoucher(w.PayerKey, d1.Id, 11_111)),
            (b, w.Channels.SignVoucher(w.PayerKey, b.Id, 22_222)),
            (d2, w.Channels.SignVoucher(w.PlatformKey, d2.Id, 33_333)),
            (d3, w.Channels.SignVoucher(w.PayerKey, d3.Id, 5_000)),
            (e, w.Channels.SignVoucher(w.PayerKey, e.Id, 44_444)),
        ];
        payeeBefore = await w.Token.BalanceOfAsync(payee);
        var batchTx = Tx(await w.Channels.RedeemBatchAsync(w.Payee, token, batch));
        (await w.Token.BalanceOfAsync(payee) - payeeBefore).ShouldBe(new BigInteger(11_111 + 33_333));
        (await w.Channels.GetStateAsync(d1.Id)).RedeemedByPayee.ShouldBe(new BigInteger(11_111));
        (await w.Channels.GetStateAsync(d2.Id)).RedeemedByPayee.ShouldBe(new BigInteger(33_333));
        (await w.Channels.GetStateAsync(d3.Id)).RedeemedByPayee.ShouldBe(new BigInteger(6_000));
        (await w.Channels.GetStateAsync(e.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        expected.Add((batchTx, "BatchItemSkipped", Args(("channelId", b.Id), ("cumulativeAmount", 22_222), ("reason", 2))));
        expected.Add((batchTx, "BatchItemSkipped", Args(("channelId", d3.Id), ("cumulativeAmount", 5_000), ("reason", 1))));
        expected.Add((batchTx, "BatchItemSkipped", Args(("channelId", e.Id), ("cumulativeAmount", 44_444), ("reason", 3))));
        expected.Add((batchTx, "BatchRedeemed", Args(("payee", payee), ("token", token), ("challengePeriod", ChannelWorld.Period))));

        // An ETH channel whose payee refuses ETH: the redemption is deferred, then withdrawn to another address.
        var receiver = await TestArtifacts.DeployAsync(w.Platform, TestArtifacts.RevertingReceiver, []);
        var eth = (await w.Channels.OpenAsync(w.Payer, payer, receiver, Address.Zero, ChannelWorld.Period, 900_000)).Channel;
        var deferred = Tx(await w.Channels.RedeemAsync(w.Other, eth, w.Channels.SignVoucher(w.PayerKey, eth.Id, 250_000)));
        (await w.Channels.GetOwedAsync(Address.Zero, receiver)).ShouldBe(new BigInteger(250_000));
        expected.Add((deferred, "VoucherRedeemed", Args(
            ("channelId", eth.Id), ("payer", payer), ("payee", receiver), ("token", Address.Zero), ("payerToPayee", true), ("amount", 250_000), ("cumulativeAmount", 250_000))));
        expected.Add((deferred, "PayoutDeferred", Args(("channelId", eth.Id), ("to", receiver), ("token", Address.Zero), ("amount", 250_000))));
        var otherBefore = await node.BalanceAsync(other);
        var withdraw = new WithdrawOwedFunction { Token = Address.Zero.ToString(), To = other.ToString() }.GetCallData();
        var execute = TestFunction.Parse("function execute(address target, bytes data) payable returns (bytes)");
        var withdrawn = Tx(await w.Platform.SendAsync(receiver, execute.EncodeCall(w.Channels.Address, withdraw), 0));
        (await node.BalanceAsync(other) - otherBefore).ShouldBe(new BigInteger(250_000));
        (await w.Channels.GetOwedAsync(Address.Zero, receiver)).ShouldBe(BigInteger.Zero);
        expected.Add((withdrawn, "OwedWithdrawn", Args(("owner", receiver), ("token", Address.Zero), ("to", other), ("amount", 250_000))));

        // ------------------------------------------------------------------ the raw logs, decoded twice
        var raw = (await node.RequestAsync("eth_getLogs", new Dictionary<string, object>
        {
            ["fromBlock"] = Quantity.Format(from),
            ["toBlock"] = "latest",
            ["address"] = w.Channels.Address.ToLowerHex(),
        })).EnumerateArray().ToArray();
        var ethers = await EthersLogDecoder.DecodeAsync(raw, EthersLogDecoder.SettlementChannelsArtifact);
        var ours = await w.Rpc.GetLogsAsync(new LogFilter { FromBlock = BlockParameter.FromNumber(from), ToBlock = BlockParameter.Latest, Addresses = [w.Channels.Address] });
        ours.Count.ShouldBe(raw.Length);

        var seen = new List<(string Tx, string Name, Dictionary<string, string> Args)>();
        for (var i = 0; i < raw.Length; i++)
        {
            var tx = raw[i].GetProperty("transactionHash").GetString()!;
            var decoded = ethers[i].ShouldNotBeNull($"ethers knows log {i}");
            ChannelContract.TryDecodeEvents(ours[i], out var events).ShouldBeTrue($"log {i} ({decoded.Name})");
            foreach (var ev in events)
            {
                // The position of every decoded event is the raw log's.
                ev.BlockNumber.ShouldBe(Quantity.ParseUInt64(raw[i].GetProperty("blockNumber").GetString()));
                ev.LogIndex.ShouldBe(Quantity.ParseUInt64(raw[i].GetProperty("logIndex").GetString()));
                Hex.Encode(ev.TransactionHash!.ToArray()).ShouldBe(tx);
                Hex.Encode(ev.BlockHash!.ToArray()).ShouldBe(raw[i].GetProperty("blockHash").GetString());
                ev.Removed.ShouldBeFalse();
            }

            if (decoded.Name == "BatchRedeemed")
            {
                // One event per packed item; the log's fields and each item's fields as ethers read them.
                var items = events.Select(x => x.ShouldBeOfType<BatchVoucherRedeemedEvent>()).ToList();
                items.Count.ShouldBe(decoded.Items!.Count);
                for (var k = 0; k < items.Count; k++)
                {
                    var item = items[k];
                    item.Item.ShouldBe(k);
                    var channel = item.Channel.ShouldNotBeNull();
                    Same(
                        Args(("payee", channel.Payee), ("token", channel.Token), ("challengePeriod", channel.ChallengePeriodSeconds), ("items", decoded.Args["items"])),
                        decoded.Args,
                        $"BatchRedeemed log {i}");
                    Same(
                        Args(("payer", channel.Payer), ("nonce", channel.Nonce), ("cumulativeAmount", item.CumulativeAmount), ("channelId", item.ChannelId)),
                        decoded.Items[k],
                        $"BatchRedeemed item {k}");
                    item.ChannelId.ShouldBe(channel.Id);
                }

                // What the chain did: D1 then D2 redeemed, at the totals channelState reports.
                decoded.Items.Select(x => (x["channelId"], x["cumulativeAmount"])).ShouldBe(
                [(d1.Id.ToString(), "11111"), (d2.Id.ToString(), "33333")]);
                decoded.Items.Select(x => x["payer"]).ShouldBe([payer.ToLowerHex(), platform.ToLowerHex()]);
                decoded.Items.Select(x => x["nonce"]).ShouldBe([d1.Nonce.ToString(CultureInfo.InvariantCulture), d2.Nonce.ToString(CultureInfo.InvariantCulture)]);
                var args = new Dictionary<string, string>(decoded.Args);
                args.Remove("items");
                seen.Add((tx, decoded.Name, args));
                continue;
            }

            var single = events.ShouldHaveSingleItem();
            Same(Fields(single), decoded.Args, $"log {i}: {decoded.Name}, ours vs ethers");
            seen.Add((tx, decoded.Name, decoded.Args.ToDictionary()));
        }

        // Every expected event is on chain with exactly these fields (ethers' reading), and the chain has no other
        // event of those transactions (redeems and closings were checked as they happened, below).
        var expectedTxs = expected.Select(x => x.Tx).ToHashSet(StringComparer.Ordinal);
        var onChain = seen.Where(x => expectedTxs.Contains(x.Tx)).ToList();
        onChain.Select(x => (x.Tx, x.Name)).ShouldBe(expected.Select(x => (x.Tx, x.Name)));
        for (var k = 0; k < expected.Count; k++)
        {
            Same(onChain[k].Args, expected[k].Args, $"{expected[k].Name} in {expected[k].Tx}");
        }

        // Each kind of event was seen at least once, and the closings named both closers.
        seen.Select(x => x.Name).Distinct().Order().ShouldBe(
        [
            "BatchItemSkipped", "BatchRedeemed", "ChannelClosing", "ChannelOpened", "ChannelSettled", "ChannelToppedUp",
            "OwedWithdrawn", "PayoutDeferred", "VoucherRedeemed",
        ]);
        seen.Where(x => x.Name == "ChannelClosing").Select(x => x.Args["closer"]).ShouldBe([payee.ToLowerHex(), payer.ToLowerHex(), payee.ToLowerHex()]);

        async Task RedeemAsync(IContractTransactor sender, Settlement.Ethereum.Signing.PrivateKey signer, BigInteger total, Address recipient, bool payerToPayee, BigInteger paid)
        {
            var before = await w.Token.BalanceOfAsync(recipient);
            var tx = Tx(await w.Channels.RedeemAsync(sender, a, w.Channels.SignVoucher(signer, a.Id, total)));
            (await w.Token.BalanceOfAsync(recipient) - before).ShouldBe(paid);
            var state = await w.Channels.GetStateAsync(a.Id);
            (payerToPayee ? state.RedeemedByPayee : state.RedeemedByPayer).ShouldBe(total);
            expected.Add((tx, "VoucherRedeemed", Args(
                ("channelId", a.Id), ("payer", payer), ("payee", payee), ("token", token), ("payerToPayee", payerToPayee), ("amount", paid), ("cumulativeAmount", total))));
        }

        async Task CloseAsync(IContractTransactor closer, ChannelParameters channel, uint period)
        {
            var tx = Tx(await w.Channels.StartCloseAsync(closer, channel));
            (await SenderAsync(tx)).ShouldBe(closer.Sender);
            var deadline = await TimestampAsync(await BlockOfAsync(tx)) + period;
            (await w.Channels.GetStateAsync(channel.Id)).CloseDeadline.ShouldBe(deadline);
            expected.Add((tx, "ChannelClosing", Args(
                ("channelId", channel.Id), ("payer", channel.Payer), ("payee", channel.Payee), ("token", channel.Token), ("closer", closer.Sender), ("deadline", deadline))));
        }

        async Task SettleAsync(ChannelParameters channel, BigInteger refund, BigInteger payout)
        {
            var (payerFrom, payeeFrom) = (await w.Token.BalanceOfAsync(channel.Payer), await w.Token.BalanceOfAsync(channel.Payee));
            var tx = Tx(await w.Channels.SettleAsync(w.Other, channel));
            (await w.Token.BalanceOfAsync(channel.Payer) - payerFrom).ShouldBe(refund);
            (await w.Token.BalanceOfAsync(channel.Payee) - payeeFrom).ShouldBe(payout);
            (await w.Channels.GetStateAsync(channel.Id)).ShouldBe(new ChannelState(false, 0, 0, 0, 0, 0));
            expected.Add((tx, "ChannelSettled", Args(
                ("channelId", channel.Id), ("payer", channel.Payer), ("payee", channel.Payee), ("token", channel.Token), ("cooperative", false), ("toPayer", refund), ("toPayee", payout))));
        }
    }

    /// <summary>The same field names with the same values (order aside).</summary>
    private static void Same(IReadOnlyDictionary<string, string> actual, IReadOnlyDictionary<string, string> expected, string what) =>
        actual.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray().ShouldBe(expected.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray(), what);

    /// <summary>Our decoded event as ABI field name → value, in the ethers script's notation.</summary>
    private static Dictionary<string, string> Fields(ChannelEvent e) => e switch
    {
        ChannelOpenedEvent x => Args(
            ("channelId", x.ChannelId), ("payer", x.Channel.Payer), ("payee", x.Channel.Payee), ("token", x.Channel.Token), ("funder", x.Funder),
            ("challengePeriod", x.Channel.ChallengePeriodSeconds), ("nonce", x.Channel.Nonce), ("deposit", x.Deposit)),
        ChannelToppedUpEvent x => Args(
            ("channelId", x.ChannelId), ("payer", x.Payer), ("payee", x.Payee), ("token", x.Token), ("funder", x.Funder), ("payeeSide", x.PayeeSide),
            ("amount", x.Amount), ("deposit", x.Deposit)),
        VoucherRedeemedEvent x => Args(
            ("channelId", x.ChannelId), ("payer", x.Payer), ("payee", x.Payee), ("token", x.Token), ("payerToPayee", x.PayerToPayee),
            ("amount", x.Amount), ("cumulativeAmount", x.CumulativeAmount)),
        BatchItemSkippedEvent x => Args(("channelId", x.ChannelId), ("cumulativeAmount", x.CumulativeAmount), ("reason", (int)x.Reason)),
        ChannelClosingEvent x => Args(
            ("channelId", x.ChannelId), ("payer", x.Payer), ("payee", x.Payee), ("token", x.Token), ("closer", x.Closer), ("deadline", x.Deadline)),
        ChannelSettledEvent x => Args(
            ("channelId", x.ChannelId), ("payer", x.Payer), ("payee", x.Payee), ("token", x.Token), ("cooperative", x.Cooperative),
            ("toPayer", x.ToPayer), ("toPayee", x.ToPayee)),
        PayoutDeferredEvent x => Args(("channelId", x.ChannelId), ("to", x.To), ("token", x.Token), ("amount", x.Amount)),
        OwedWithdrawnEvent x => Args(("owner", x.Owner), ("token", x.Token), ("to", x.To), ("amount", x.Amount)),
        _ => throw new InvalidOperationException($"No field mapping for {e.GetType().Name}."),
    };

    /// <summary>Field values in the ethers script's notation: lower-case hex, decimal integers, "true"/"false".</summary>
    private static Dictionary<string, string> Args(params (string Name, object Value)[] fields) =>
        fields.ToDictionary(
            f => f.Name,
            f => f.Value switch
            {
                Address a => a.ToLowerHex(),
                ChannelId id => id.ToString(),
                bool b => b ? "true" : "false",
                string s => s,
                IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
                _ => throw new InvalidOperationException($"Unsupported field value {f.Value.GetType().Name}."),
            },
            StringComparer.Ordinal);

    private static string Tx(TransactionReceipt receipt)
    {
        receipt.Succeeded.ShouldBeTrue();
        return Hex.Encode(receipt.TransactionHash.ToArray());
    }

    // Chain facts read with plain JSON-RPC through the fixture, not through the client under test.
    private async Task<Address> SenderAsync(string tx) =>
        Address.Parse((await node.RequestAsync("eth_getTransactionByHash", tx)).GetProperty("from").GetString()!);

    private async Task<ulong> BlockOfAsync(string tx) =>
        Quantity.ParseUInt64((await node.RequestAsync("eth_getTransactionReceipt", tx)).GetProperty("blockNumber").GetString());

    private async Task<ulong> TimestampAsync(ulong block) =>
        Quantity.ParseUInt64((await node.RequestAsync("eth_getBlockByNumber", Quantity.Format(block), false))
            .GetProperty("timestamp").GetString());
}
