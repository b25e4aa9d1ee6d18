using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Watchtower;

/// <summary>Delegations are untrusted input: each refusal names its reason and leaves the held voucher unchanged.</summary>
public sealed class AnvilDelegationIntakeTests(AnvilNode node) : IClassFixture<AnvilNode>
{
    [Fact]
    public async Task Submit_EachBadRequest_RefusedWithExactReasonAndHeldVoucherUnchanged()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 100));
        using var tower = TowerHarness.Start(w, db.Path);
        var good = TowerHarness.Request(w, c, 600);
        (await tower.Intake.SubmitAsync(good)).ShouldBeOfType<DelegationAccepted>().Delegation.Amount.ShouldBe(new BigInteger(600));
        var held = await tower.Store.GetDelegationAsync(c.Id);

        var other = new ChannelContract(w.Rpc, Address.Parse("0x00000000000000000000000000000000000000aa"));
        var highS = TowerHarness.Request(w, c, 700);
        var rsv = highS.Signature.ToArray();
        FlipToHighS(rsv);
        var unknown = c with { Nonce = c.Nonce + 1000 };
        var cases = new (DelegationRequest Request, DelegationRefusal Reason)[]
        {
            (good with { ChainId = 1 }, DelegationRefusal.WrongChain),
            (good with { Contract = other.Address }, DelegationRefusal.WrongContract),
            (good with { Channel = c with { Nonce = c.Nonce + 1 } }, DelegationRefusal.ChannelMismatch),
            (good with { Signature = new byte[64] }, DelegationRefusal.MalformedSignature),
            (highS with { Signature = rsv }, DelegationRefusal.HighS),
            (TowerHarness.Request(w, c, w.Channels.SignVoucher(w.PayeeKey, c.Id, 700)), DelegationRefusal.WrongSigner),
            (TowerHarness.Request(w, c, other.SignVoucher(w.PayerKey, c.Id, 700)) with { Contract = w.Channels.Address }, DelegationRefusal.WrongSigner),
            (TowerHarness.Request(w, c, 599), DelegationRefusal.NotNewer),
            (TowerHarness.Request(w, c, 1001), DelegationRefusal.ExceedsDeposit),
            (TowerHarness.Request(w, unknown, w.Channels.SignVoucher(w.PayerKey, unknown.Id, 10)), DelegationRefusal.UnknownChannel),
        };

        foreach (var (request, reason) in cases)
        {
            (await tower.Intake.SubmitAsync(request)).ShouldBeOfType<DelegationRefused>().Reason.ShouldBe(reason, customMessage: reason.ToString());
            (await tower.Store.GetDelegationAsync(c.Id)).ShouldBe(held);
        }

        tower.Metrics.Snapshot()["delegationsRefused"].ShouldBe(cases.Length);
    }

    [Fact]
    public async Task Submit_AtOrBelowChainRedeemed_RefusedAlreadyRedeemed()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 300));
        using var tower = TowerHarness.Start(w, db.Path);

        (await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 300))).ShouldBeOfType<DelegationRefused>().Reason.ShouldBe(DelegationRefusal.AlreadyRedeemed);
        (await tower.Store.GetDelegationAsync(c.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task Submit_Repeated_UnchangedAndOnlyNewestKept()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        using var tower = TowerHarness.Start(w, db.Path);
        var first = TowerHarness.Request(w, c, 400);

        (await tower.Intake.SubmitAsync(first)).ShouldBeOfType<DelegationAccepted>();
        (await tower.Intake.SubmitAsync(first)).ShouldBeOfType<DelegationUnchanged>().Delegation.Amount.ShouldBe(new BigInteger(400));
        (await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 800))).ShouldBeOfType<DelegationAccepted>();
        (await tower.Intake.SubmitAsync(first)).ShouldBeOfType<DelegationRefused>().Reason.ShouldBe(DelegationRefusal.NotNewer);

        var held = (await tower.Store.GetDelegationAsync(c.Id)).ShouldNotBeNull();
        held.Amount.ShouldBe(new BigInteger(800));
        held.Voucher.Voucher.TryRecoverSigner(w.Channels.Domain, held.Voucher.Signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(w.PayerKey.Address);
        (await tower.Store.ListActiveDelegationsAsync()).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Submit_ChannelAlreadyClosing_RecordsDeadlineAndWatchtowerAnswers()
    {
        using var w = await ChannelWorld.CreateAsync(node);
        using var db = new TempFile();
        var c = await w.OpenAsync(1000);
        await w.Channels.StartCloseAsync(w.Payer, c);
        using var tower = TowerHarness.Start(w, db.Path);

        var accepted = (await tower.Intake.SubmitAsync(TowerHarness.Request(w, c, 250))).ShouldBeOfType<DelegationAccepted>();
        accepted.Delegation.CloseDeadline.ShouldBe((await w.Channels.GetStateAsync(c.Id)).CloseDeadline);
        (await tower.Follower.PollOnceAsync()).Sent.ShouldBe(1);
        await tower.MinedAsync(w, c.Id);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(250));
    }

    // s → n − s with the recovery id flipped: the same signer, but the contract refuses s above n/2.
    private static void FlipToHighS(byte[] rsv)
    {
        var n = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", System.Globalization.CultureInfo.InvariantCulture);
        var s = new BigInteger(rsv.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var high = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(rsv, 32, 32);
        high.CopyTo(rsv, 64 - high.Length);
        rsv[64] = (byte)(rsv[64] == 27 ? 28 : 27);
    }
}
