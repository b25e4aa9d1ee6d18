using Settlement.Channels.Payee;

namespace Settlement.Channels.Transport;

/// <summary>
/// <c>0xFF ERROR</c>, payee → client: a fault that is not about one voucher (a frame that could not be decoded, a
/// HELLO for another chain or contract, the payee shutting down).
/// </summary>
/// <param name="Code">What went wrong; never 0.</param>
public sealed record ErrorFrame(VoucherRejectCode Code) : PayeeFrame
{
    /// <inheritdoc />
    public override PayeeFrameType Type => PayeeFrameType.Error;
}
