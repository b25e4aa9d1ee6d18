using System.Numerics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.PayeeService.Http402;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>
/// The per-byte response body on its own (no server, no Anvil): every write is charged before it reaches the inner
/// stream, a write past the unpaid allowance is not sent, aborts the request and throws, an empty write is free.
/// </summary>
public sealed class MeteredResponseStreamTests
{
    private static readonly ChannelKey Key = new(31337, Address.Parse("0x" + new string('1', 40)), ChannelId.Parse("0x" + new string('2', 64)));

    private readonly PaymentCreditBook _credits = new();
    private readonly MemoryStream _inner = new();
    private readonly LifetimeFeature _lifetime = new();
    private BigInteger _paid;

    [Fact]
    public void Capabilities_WriteOnly_NoSeekNoRead()
    {
        using var stream = Meter(PaymentPrice.ForBytes(1, 1, 10));

        stream.CanRead.ShouldBeFalse();
        stream.CanSeek.ShouldBeFalse();
        stream.CanWrite.ShouldBeTrue();
        Should.Throw<NotSupportedException>(() => stream.Length);
        Should.Throw<NotSupportedException>(() => stream.Position);
        Should.Throw<NotSupportedException>(() => stream.Read(new byte[1], 0, 1));
    }

    [Fact]
    public void Write_Sync_ChargedThenWritten()
    {
        using var stream = Meter(PaymentPrice.ForBytes(5, 2, 10));
        _paid = 100; // stored after the channel was first seen: credit

        stream.Write(Bytes(30), 5, 25);

        _inner.ToArray().ShouldBe(Bytes(30)[5..]);
        _credits.Credit(Key, _paid).ShouldBe(100 - 50);
    }

    [Fact]
    public async Task WriteAsync_ArrayAndMemory_ChargedThenWritten()
    {
        await using var stream = Meter(PaymentPrice.ForBytes(5, 2, 10));
        _paid = 100;

        await stream.WriteAsync(Bytes(10), 0, 10, CancellationToken.None);
        await stream.WriteAsync(Bytes(20).AsMemory(10, 10));

        _inner.ToArray().ShouldBe([.. Bytes(10), .. Bytes(20)[10..]]);
        _credits.Credit(Key, _paid).ShouldBe(100 - 40);
    }

    [Fact]
    public void Write_Sync_PastTheAllowance_NotSent_Aborted_IOExceptionNamesChannelAndAllowance()
    {
        using var stream = Meter(PaymentPrice.ForBytes(1, 2, 10));
        stream.Write(Bytes(5), 0, 5); // 10 owed: exactly the allowance

        var thrown = Should.Throw<IOException>(() => stream.Write(Bytes(1), 0, 1));

        thrown.Message.ShouldBe($"The response was cut off: channel {Key.ChannelId} has run up its unpaid allowance of 10.");
        _lifetime.Aborted.ShouldBeTrue();
        _inner.Length.ShouldBe(5);
        _credits.Credit(Key, _paid).ShouldBe(-10);
    }

    [Fact]
    public async Task WriteAsync_PastTheAllowance_NotSent_Aborted()
    {
        await using var stream = Meter(PaymentPrice.ForBytes(1, 2, 10));
        _paid = 4; // 16 for the 8 bytes would leave -12

        var thrown = await Should.ThrowAsync<IOException>(async () => await stream.WriteAsync(Bytes(8)));

        thrown.Message.ShouldBe($"The response was cut off: channel {Key.ChannelId} has run up its unpaid allowance of 10.");
        _lifetime.Aborted.ShouldBeTrue();
        _inner.Length.ShouldBe(0);
        _credits.Credit(Key, _paid).ShouldBe(4);
    }

    [Fact]
    public async Task Write_Empty_NeverCharged_EvenWithTheCreditPastThisRoutesAllowance()
    {
        _credits.Open(Key, () => 0);
        _credits.TryCharge(Key, 50, 0, 50).ShouldBeTrue(); // another route's response ran the credit down to -50
        await using var stream = Meter(PaymentPrice.ForBytes(1, 1, 10));

        stream.Write([], 0, 0);
        await stream.WriteAsync(ReadOnlyMemory<byte>.Empty);

        _lifetime.Aborted.ShouldBeFalse();
        _credits.Credit(Key, 0).ShouldBe(-50);
    }

    private static byte[] Bytes(int count) => Enumerable.Range(1, count).Select(i => (byte)i).ToArray();

    /// <summary>The meter over <see cref="_inner"/>; the channel is first seen with what is stored now (its baseline).</summary>
    private MeteredResponseStream Meter(PaymentPrice price)
    {
        _credits.Open(Key, () => _paid);
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestLifetimeFeature>(_lifetime);
        return new MeteredResponseStream(_inner, _credits, () => _paid, Key, price, context, NullLogger.Instance);
    }

    private sealed class LifetimeFeature : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }
}
