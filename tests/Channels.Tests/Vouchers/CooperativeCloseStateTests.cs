using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Vouchers;

public sealed class CooperativeCloseStateTests
{
    private static readonly ChannelId Channel = ChannelId.Parse("0x" + new string('1', 64));
    private static readonly ChannelDomain Domain = new(31337, Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));

    [Fact]
    public void Create_ZeroDeadline_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new CooperativeCloseState(Channel, 1, 0, 0)).ParamName.ShouldBe("deadline");
        Should.Throw<ArgumentOutOfRangeException>(() => new CooperativeCloseState(Channel, -1, 0, 10)).ParamName.ShouldBe("payerToPayee");
    }

    [Fact]
    public void IsExpiredAt_DeadlineInclusive()
    {
        var state = new CooperativeCloseState(Channel, 500, 0, 1_800_000_000);
        state.IsExpiredAt(1_799_999_999).ShouldBeFalse();
        state.IsExpiredAt(1_800_000_000).ShouldBeFalse();
        state.IsExpiredAt(1_800_000_001).ShouldBeTrue();
    }

    [Fact]
    public void Digest_OtherDeadline_OtherDigestAndTheSignatureDoesNotCarryOver()
    {
        using var key = PrivateKey.ParseHex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        var signed = new CooperativeCloseState(Channel, 500, 0, 1_800_000_000);
        var extended = new CooperativeCloseState(Channel, 500, 0, 1_800_086_400);
        extended.Digest(Domain).ShouldNotBe(signed.Digest(Domain));

        var signature = signed.Sign(key, Domain);
        signed.TryRecoverSigner(Domain, signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(key.Address);
        extended.TryRecoverSigner(Domain, signature, out var other).ShouldBeTrue();
        other.ShouldNotBe(key.Address);
    }
}
