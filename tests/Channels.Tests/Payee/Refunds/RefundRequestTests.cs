using System.Numerics;
using Settlement.Channels.Payee.Refunds;

namespace Settlement.Channels.Tests.Payee.Refunds;

public sealed class RefundRequestTests
{
    [Theory]
    [InlineData("!", true)] // the lowest printable ASCII character
    [InlineData("~", true)] // the highest
    [InlineData(" ", false)]
    [InlineData("\u007f", false)]
    [InlineData("", false)]
    public void IsValidIdempotencyKey_PrintableAsciiBounds(string key, bool valid) =>
        RefundRequest.IsValidIdempotencyKey(key).ShouldBe(valid);

    [Fact]
    public void IsValidIdempotencyKey_ExactlyTheLongestAccepted()
    {
        RefundRequest.IsValidIdempotencyKey(new string('k', RefundRequest.MaxIdempotencyKeyLength)).ShouldBeTrue();
        RefundRequest.IsValidIdempotencyKey(new string('k', RefundRequest.MaxIdempotencyKeyLength + 1)).ShouldBeFalse();
        RefundRequest.IsValidIdempotencyKey(null).ShouldBeFalse();
    }

    [Fact]
    public void IssuedRefund_ToSignedVoucher_SignatureNot65Bytes_FormatExceptionNamingTheChannel()
    {
        using var world = new PayeeWorld();
        var refund = new IssuedRefund(world.Key, "a", BigInteger.Zero, 300, new byte[64], world.Clock.GetUtcNow());

        Should.Throw<FormatException>(refund.ToSignedVoucher).Message
            .ShouldBe($"The refund signature of channel {world.Key} is not 65 bytes r‖s‖v.");
    }
}
