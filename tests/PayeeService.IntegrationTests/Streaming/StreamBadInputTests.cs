using System.Globalization;
using System.Net.WebSockets;
using System.Numerics;
using System.Security.Cryptography;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Streaming;

/// <summary>
/// Every bad input on the stream gets its own code, changes nothing (the stored voucher and the status endpoint are as
/// before) and leaves the service answering.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class StreamBadInputTests(PayeeWorldFixture fixture, ITestOutputHelper output)
{
    /// <summary>The curve order n of secp256k1.</summary>
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private const int Deposit = 1_000_000;

    [Fact]
    public async Task Stream_EveryBadFrame_ErrorWithItsCodeAndStateUnchanged()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var raw = await RawStream.ConnectHelloAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        (await raw.SubmitAsync(channel.Voucher(1_000))).Outcome.ShouldBe(AckOutcome.Accepted);
        var before = await SnapshotAsync(payee, channel);

        // Not a frame type; a voucher cut short; a payee-side frame sent by a client.
        await ExpectErrorAsync(raw, [0x02], VoucherRejectCode.MalformedFrame);
        await ExpectErrorAsync(raw, PayeeFrameCodec.Encode(channel.Voucher(2_000))[..50], VoucherRejectCode.MalformedFrame);
        await ExpectErrorAsync(raw, PayeeFrameCodec.Encode(new ErrorFrame(VoucherRejectCode.Stale)), VoucherRejectCode.MalformedFrame);
        await ExpectErrorAsync(raw, [], VoucherRejectCode.MalformedFrame);

        // Longer than 128 bytes binary, longer than 4 KiB text (answered in JSON).
        await ExpectErrorAsync(raw, new byte[129], VoucherRejectCode.OversizedFrame);
        await ExpectErrorAsync(raw, RandomNumberGenerator.GetBytes(10_000), VoucherRejectCode.OversizedFrame);
        await raw.SendTextAsync(new string(' ', 5_000));
        var text = await raw.ReceiveAsync();
        text.Type.ShouldBe(WebSocketMessageType.Text);
        PayeeJsonCodec.TryDecode(text.Bytes, out var textFrame, out _).ShouldBeTrue();
        textFrame.ShouldBe(new ErrorFrame(VoucherRejectCode.OversizedFrame));
        await raw.SendTextAsync("{\"type\":\"voucher\"");
        PayeeJsonCodec.TryDecode((await raw.ReceiveAsync()).Bytes, out textFrame, out _).ShouldBeTrue();
        textFrame.ShouldBe(new ErrorFrame(VoucherRejectCode.MalformedFrame));

        // The same connection still works, and nothing changed.
        (await raw.SubmitAsync(channel.Voucher(1_000))).Outcome.ShouldBe(AckOutcome.Duplicate);
        await ExpectUnchangedAsync(payee, channel, before);
    }

    [Fact]
    public async Task Hello_WrongChainOrContract_ErrorWrongChainOrWrongContract()
    {
        await using var payee = await fixture.StartPayeeAsync(output);

        await using (var raw = await RawStream.ConnectAsync(payee.StreamUrl))
        {
            await raw.SendAsync(new HelloFrame(PayeeFrames.Version, fixture.ChainId + 1, fixture.Contract));
            (await raw.ReceiveFrameAsync()).ShouldBe(new ErrorFrame(VoucherRejectCode.WrongChain));
            await raw.SendAsync(new HelloFrame(PayeeFrames.Version, fixture.ChainId, fixture.World.Token.Address));
            (await raw.ReceiveFrameAsync()).ShouldBe(new ErrorFrame(VoucherRejectCode.WrongContract));
            await raw.SendTextAsync($"{{\"type\":\"hello\",\"version\":1,\"chainId\":1,\"contract\":\"{fixture.Contract}\"}}");
            (await raw.ReceiveFrameAsync()).ShouldBe(new ErrorFrame(VoucherRejectCode.WrongChain));
        }

        var chain = await Should.ThrowAsync<PayeeProtocolException>(
            () => PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId + 1, fixture.Contract).WaitAsync(TimeSpan.FromSeconds(10)));
        chain.Code.ShouldBe(VoucherRejectCode.WrongChain);
        var contract = await Should.ThrowAsync<PayeeProtocolException>(
            () => PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.World.Token.Address).WaitAsync(TimeSpan.FromSeconds(10)));
        contract.Code.ShouldBe(VoucherRejectCode.WrongContract);
        await payee.HealthAsync();
    }

    [Fact]
    public async Task Voucher_BeforeHello_ErrorAndNotStored()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var raw = await RawStream.ConnectAsync(payee.StreamUrl);

        await raw.SendAsync(channel.Voucher(5_000));
        (await raw.ReceiveFrameAsync()).ShouldBe(new ErrorFrame(VoucherRejectCode.MalformedFrame));
        await raw.SendAsync(new ReceiptRequestFrame(channel.Id));
        (await raw.ReceiveFrameAsync()).ShouldBe(new ErrorFrame(VoucherRejectCode.MalformedFrame));

        (await payee.NewestAsync(channel.Key)).ShouldBeNull();
        RunningPayee.NewestInStatus((await payee.StatusAsync(channel.Key)).Body).ShouldBe(BigInteger.Zero);
        await payee.HealthAsync();
    }

    [Fact]
    public async Task Voucher_EveryRefusal_AckWithItsCodeAndStateUnchanged()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        var fresh = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var raw = await RawStream.ConnectHelloAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        (await raw.SubmitAsync(channel.Voucher(1_000))).Outcome.ShouldBe(AckOutcome.Accepted);
        (await raw.SubmitAsync(channel.Voucher(2_000))).Outcome.ShouldBe(AckOutcome.Accepted);
        var before = await SnapshotAsync(payee, channel);

        // Forged: signed by someone else than the payer.
        await ExpectRefusedAsync(raw, channel.Voucher(3_000, fixture.World.OtherKey), VoucherRejectCode.WrongSigner, stored: 2_000);

        // High s: r and s in range but s above n/2 (a compact signature can carry n/2 < s < 2^255).
        var good = channel.Voucher(3_000).Signature.ToArray();
        var highS = good.ToArray();
        ((N / 2) + 1).ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(highS, 32);
        await ExpectRefusedAsync(raw, new VoucherFrame(channel.Id, 3_000, highS), VoucherRejectCode.HighS, stored: 2_000);

        // Replayed older voucher; zero increment (nothing above what is redeemed: 0 on a fresh channel).
        await ExpectRefusedAsync(raw, channel.Voucher(1_000), VoucherRejectCode.Stale, stored: 2_000);
        await ExpectRefusedAsync(raw, fresh.Voucher(0), VoucherRejectCode.ZeroIncrement, stored: 0);

        // Beyond the deposit; another contract's channel id that does not exist here.
        await ExpectRefusedAsync(raw, channel.Voucher(Deposit + 1), VoucherRejectCode.ExceedsDeposit, stored: 2_000);
        var unknown = ChannelId.FromBytes(RandomNumberGenerator.GetBytes(32));
        var unknownVoucher = VoucherFrame.FromSignedVoucher(fixture.World.Channels.SignVoucher(fixture.World.PayerKey, unknown, 10));
        await ExpectRefusedAsync(raw, unknownVoucher, VoucherRejectCode.UnknownChannel, stored: 0);

        // A resent voucher is a duplicate, not a second payment.
        var duplicate = await raw.SubmitAsync(channel.Voucher(2_000));
        duplicate.Outcome.ShouldBe(AckOutcome.Duplicate);
        duplicate.StoredAmount.ShouldBe(new BigInteger(2_000));

        await ExpectUnchangedAsync(payee, channel, before);
        (await payee.NewestAsync(fresh.Key)).ShouldBeNull();
    }

    [Fact]
    public async Task Voucher_ChannelClosingOnChain_RefusedChannelClosingOnceFollowerSeesIt()
    {
        var channel = await fixture.OpenChannelAsync(Deposit);
        await using var payee = await fixture.StartPayeeAsync(output);
        await using var client = await PayeeStreamClient.ConnectAsync(payee.StreamUrl, fixture.ChainId, fixture.Contract);
        (await client.SendAsync(channel.Voucher(1_000))).Outcome.ShouldBe(AckOutcome.Accepted);

        // The payer starts a unilateral close; one more block confirms it.
        await fixture.World.Channels.StartCloseAsync(fixture.World.Payer, channel.Parameters);
        await fixture.Node.MineAsync();
        await payee.WaitForStatusAsync(channel.Key, s => !s.GetProperty("open").GetBoolean());
        var before = await SnapshotAsync(payee, channel);

        var ack = await client.SendAsync(channel.Voucher(2_000));
        ack.Outcome.ShouldBe(AckOutcome.Rejected);
        ack.RejectCode.ShouldBe(VoucherRejectCode.ChannelClosing);
        ack.StoredAmount.ShouldBe(new BigInteger(1_000));
        await ExpectUnchangedAsync(payee, channel, before);
    }

    private static async Task ExpectErrorAsync(RawStream raw, byte[] bytes, VoucherRejectCode code)
    {
        await raw.SendBinaryAsync(bytes);
        (await raw.ReceiveFrameAsync()).ShouldBe(new ErrorFrame(code), $"answer to {bytes.Length} bytes");
    }

    private static async Task ExpectRefusedAsync(RawStream raw, VoucherFrame voucher, VoucherRejectCode code, BigInteger stored)
    {
        var ack = await raw.SubmitAsync(voucher);
        ack.ShouldBe(new AckFrame(voucher.ChannelId, AckOutcome.Rejected, code, voucher.CumulativeAmount, stored));
    }

    private static async Task<(string Status, BigInteger Newest, byte[] Signature)> SnapshotAsync(RunningPayee payee, TestChannel channel)
    {
        var newest = (await payee.NewestAsync(channel.Key)).ShouldNotBeNull();
        return (await payee.StatusTextAsync(channel.Key), newest.Cumulative, newest.Signature);
    }

    private static async Task ExpectUnchangedAsync(RunningPayee payee, TestChannel channel, (string Status, BigInteger Newest, byte[] Signature) before)
    {
        var after = await SnapshotAsync(payee, channel);
        after.Newest.ShouldBe(before.Newest);
        after.Signature.ShouldBe(before.Signature);
        after.Status.ShouldBe(before.Status);
        await payee.HealthAsync();
    }
}
