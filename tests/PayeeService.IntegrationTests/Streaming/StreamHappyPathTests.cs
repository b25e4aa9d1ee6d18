using System.Collections.Concurrent;
using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Streaming;

/// <summary>A payer streams vouchers over the WebSocket with <see cref="PayeeStreamClient"/>; the payee redeems the newest.</summary>
[Collection(PayeeCollection.Name)]
public sealed class StreamHappyPathTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    private const int Vouchers = 200;
    private const int Step = 1_000;

    [Fact]
    public async Task Stream_TwoHundredIncreasingVouchers_AllAcceptedReceiptedStoredAndRedeemable()
    {
        var channel = await fixture.OpenChannelAsync(10_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        var receipts = new ConcurrentQueue<(int AcksBefore, ReceiptFrame Receipt)>();
        var acks = 0;
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        client.ReceiptReceived += (_, r) => receipts.Enqueue((Volatile.Read(ref acks), r));

        client.Hello.Payee.ShouldBe(fixture.Payee);
        client.Hello.ReceiptEveryVouchers.ShouldBe((ushort)payee.Options.ReceiptEveryVouchers);
        client.Hello.MaxVouchersInFlight.ShouldBe((ushort)payee.Options.MaxInFlightPerConnection);

        // Pipelined: every voucher is sent before the first ACK is awaited.
        var pending = Enumerable.Range(1, Vouchers)
            .Select(async i =>
            {
                var ack = await client.SendAsync(channel.Voucher(i * Step));
                Interlocked.Increment(ref acks);
                return ack;
            })
            .ToArray();
        var answers = await Task.WhenAll(pending);
        client.PendingAcks.ShouldBe(0, "every answered voucher leaves the client's pending table");

        for (var i = 0; i < Vouchers; i++)
        {
            var ack = answers[i];
            ack.ChannelId.ShouldBe(channel.Id);
            ack.Outcome.ShouldBe(AckOutcome.Accepted, $"voucher {i + 1}: {ack}");
            ack.SubmittedAmount.ShouldBe(new BigInteger((i + 1) * Step));
            ack.StoredAmount.ShouldBe(ack.SubmittedAmount);
        }

        // A receipt at least every N accepted vouchers, each signed by the payee over EIP-712 Receipt.
        var received = await WaitForReceiptsAsync(receipts, Vouchers / payee.Options.ReceiptEveryVouchers);
        received.Count.ShouldBeGreaterThanOrEqualTo(Vouchers / payee.Options.ReceiptEveryVouchers);
        foreach (var (_, each) in received)
        {
            each.ChannelId.ShouldBe(channel.Id);
            each.CumulativeAmount.ShouldBeInRange(Step, Vouchers * Step);
            IsSignedByPayee(channel.Key, each).ShouldBeTrue();
        }

        received.Max(r => r.Receipt.CumulativeAmount).ShouldBe(new BigInteger(Vouchers * Step));
        client.LatestReceipt(channel.Id)!.CumulativeAmount.ShouldBe(new BigInteger(Vouchers * Step));

        // On request: a receipt of the newest stored amount.
        var requested = await client.RequestReceiptAsync(channel.Id);
        requested.ChannelId.ShouldBe(channel.Id);
        requested.CumulativeAmount.ShouldBe(new BigInteger(Vouchers * Step));
        IsSignedByPayee(channel.Key, requested).ShouldBeTrue();
        ManualReceiptDigestRecovers(channel.Key, requested).ShouldBeTrue();

        // The store holds the newest voucher, and redeeming it pays the payee exactly that amount.
        var stored = (await payee.NewestAsync(channel.Key)).ShouldNotBeNull();
        stored.Cumulative.ShouldBe(new BigInteger(Vouchers * Step));
        stored.Signer.ShouldBe(channel.Parameters.Payer);
        var before = await fixture.World.Token.BalanceOfAsync(fixture.Payee);
        var voucher = new SignedVoucher(new Voucher(channel.Id, stored.Cumulative), EcdsaSignature.ParseRsv(stored.Signature));
        var receipt = await fixture.World.Channels.RedeemAsync(fixture.World.Payee, channel.Parameters, voucher);
        receipt.Succeeded.ShouldBeTrue();
        (await fixture.World.Token.BalanceOfAsync(fixture.Payee) - before).ShouldBe(new BigInteger(Vouchers * Step));
        (await fixture.World.Channels.GetStateAsync(channel.Id)).RedeemedByPayee.ShouldBe(new BigInteger(Vouchers * Step));
    }

    [Fact]
    public async Task RequestReceipt_BeforeAnyVoucherThenAfter_ErrorThenSignedReceipt()
    {
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);

        var refused = await Should.ThrowAsync<PayeeProtocolException>(() => client.RequestReceiptAsync(channel.Id).WaitAsync(TimeSpan.FromSeconds(10)));
        refused.Code.ShouldBe(VoucherRejectCode.UnknownChannel);

        (await client.SendAsync(channel.Voucher(777))).Outcome.ShouldBe(AckOutcome.Accepted);
        var receipt = await client.RequestReceiptAsync(channel.Id).WaitAsync(TimeSpan.FromSeconds(10));
        receipt.CumulativeAmount.ShouldBe(new BigInteger(777));
        IsSignedByPayee(channel.Key, receipt).ShouldBeTrue();
    }

    [Fact]
    public async Task RequestReceipt_WhileAnotherChannelGetsUnaskedReceipts_AnswersWithItsOwnChannel()
    {
        var streaming = await fixture.OpenChannelAsync(1_000_000);
        var asked = await fixture.OpenChannelAsync(1_000_000);
        await using var payee = await fixture.StartPayeeAsync(output, o => o.ReceiptEveryVouchers = 1);
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        (await client.SendAsync(asked.Voucher(5))).Outcome.ShouldBe(AckOutcome.Accepted);

        // Every accepted voucher of the streaming channel brings an unasked receipt; requests for the other channel
        // are in flight at the same time.
        var sends = Enumerable.Range(1, 100).Select(i => client.SendAsync(streaming.Voucher(i))).ToArray();
        var requests = Enumerable.Range(0, 20).Select(_ => client.RequestReceiptAsync(asked.Id)).ToArray();
        await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));
        var answers = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(30));

        answers.ShouldAllBe(r => r.ChannelId == asked.Id && r.CumulativeAmount == 5);
        client.LatestReceipt(streaming.Id)!.CumulativeAmount.ShouldBe(new BigInteger(100));
    }

    private bool IsSignedByPayee(ChannelKey key, ReceiptFrame frame) =>
        new PaymentReceipt(key, frame.CumulativeAmount, frame.IssuedAt, EcdsaSignature.ParseRsv(frame.Signature.Span)).IsSignedBy(fixture.Payee);

    private bool ManualReceiptDigestRecovers(ChannelKey key, ReceiptFrame frame)
    {
        var digest = new byte[32];
        ChannelTypedData.ForContract(key.ChainId, key.Contract).HashReceipt(key.ChannelId.Bytes, frame.CumulativeAmount, frame.IssuedAt, digest);
        return EcdsaSignature.ParseRsv(frame.Signature.Span).RecoverAddress(digest) == fixture.Payee;
    }

    private static async Task<List<(int AcksBefore, ReceiptFrame Receipt)>> WaitForReceiptsAsync(
        ConcurrentQueue<(int, ReceiptFrame)> receipts, int atLeast)
    {
        // The last receipt may trail the last ACK by a frame.
        for (var i = 0; i < 100 && receipts.Count < atLeast; i++)
        {
            await Task.Delay(20);
        }

        return [.. receipts];
    }
}
