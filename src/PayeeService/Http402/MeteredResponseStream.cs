using System.Numerics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Payee;

namespace Settlement.PayeeService.Http402;

/// <summary>
/// The response body of a per-byte route: each write is charged to the channel's credit before it goes out; a write
/// that would take the credit below the route's unpaid allowance is not sent, the connection is aborted, and the
/// endpoint sees an <see cref="IOException"/>.
/// </summary>
internal sealed partial class MeteredResponseStream(
    Stream inner, PaymentCreditBook credits, Func<BigInteger> paid, ChannelKey key, PaymentPrice price, HttpContext context, ILogger logger) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Charge(count);
        inner.Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Charge(buffer.Length);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Charge(int bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        if (!credits.TryCharge(key, price.PerByte * bytes, paid(), price.MaxUnpaid))
        {
            LogCutOff(logger, key);
            context.Abort();
            throw new IOException($"The response was cut off: channel {key.ChannelId} has run up its unpaid allowance of {price.MaxUnpaid}.");
        }
    }

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information, Message = "Response to {Channel} cut off: unpaid allowance used up")]
    private static partial void LogCutOff(ILogger logger, ChannelKey channel);
}
