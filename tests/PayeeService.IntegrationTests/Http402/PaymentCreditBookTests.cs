using System.Numerics;
using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.PayeeService.Http402;

namespace Settlement.PayeeService.IntegrationTests.Http402;

/// <summary>
/// The credit book on its own (no Anvil): credit above the baseline at first sight, claims at the floor, the fold of
/// old claims into the floor at <see cref="PaymentCreditBook.MaxClaims"/>, and the unpaid allowance at its edge.
/// </summary>
public sealed class PaymentCreditBookTests
{
    private static readonly ChannelKey Key = new(31337, Address.Parse("0x" + new string('1', 40)), ChannelId.Parse("0x" + new string('2', 64)));
    private static readonly ChannelKey Other = Key with { ChannelId = ChannelId.Parse("0x" + new string('3', 64)) };

    /// <summary>Enough stored that credit never runs out in the claim tests.</summary>
    private static readonly BigInteger Plenty = BigInteger.Pow(10, 30);

    [Fact]
    public void Credit_UnseenChannel_Zero()
    {
        var book = new PaymentCreditBook();
        book.Open(Other, () => 0);

        book.Credit(Key, 500).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public void Credit_StoredAboveTheBaselineMinusCharged_NeverBelowTheBaselineFromStoredAlone()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 500);
        book.Open(Key, () => 9_999); // tracked already: the baseline stays 500

        book.Credit(Key, 800).ShouldBe(300);
        book.Credit(Key, 500).ShouldBe(BigInteger.Zero);
        book.Credit(Key, 100).ShouldBe(BigInteger.Zero); // a stored amount below the baseline is not a debt
        book.TryCharge(Key, 100, 800, 0).ShouldBeTrue();
        book.Credit(Key, 800).ShouldBe(200);
        book.Credit(Key, 1_000).ShouldBe(400);
    }

    [Fact]
    public void Claim_AtTheBaseline_Reused_OneAbove_Charged()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 1_000);

        book.Claim(Key, 1_000, 1_000, 1).ShouldBe(new PaymentClaim(PaymentClaimStatus.Reused, BigInteger.Zero, BigInteger.Zero));
        book.Claim(Key, 999, 1_000, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
        book.Claim(Key, 1_001, 1_001, 1).ShouldBe(new PaymentClaim(PaymentClaimStatus.Charged, BigInteger.Zero, BigInteger.Zero));
        book.Claim(Key, 1_001, 1_001, 1).ShouldBe(new PaymentClaim(PaymentClaimStatus.Reused, BigInteger.Zero, BigInteger.Zero));
    }

    [Fact]
    public void Claim_UnopenedChannel_TheStoredAmountIsTheBaseline()
    {
        var book = new PaymentCreditBook();

        book.Claim(Key, 500, 500, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
        book.Credit(Key, 500).ShouldBe(BigInteger.Zero);
        book.Claim(Key, 700, 700, 100).ShouldBe(new PaymentClaim(PaymentClaimStatus.Charged, 100, BigInteger.Zero));
    }

    [Fact]
    public void Claim_CreditShort_Insufficient_TheAmountStaysClaimed_NothingCharged()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 0);

        book.Claim(Key, 400, 400, 1_000).ShouldBe(new PaymentClaim(PaymentClaimStatus.Insufficient, 400, 600));
        book.Claim(Key, 400, 400, 1_000).ShouldBe(new PaymentClaim(PaymentClaimStatus.Reused, 400, BigInteger.Zero));
        book.Claim(Key, 1_000, 1_000, 1_000).ShouldBe(new PaymentClaim(PaymentClaimStatus.Charged, BigInteger.Zero, BigInteger.Zero));
        book.Claim(Key, 2_500, 2_500, 1_000).ShouldBe(new PaymentClaim(PaymentClaimStatus.Charged, 500, BigInteger.Zero));
    }

    [Fact]
    public void Claim_ExactlyMaxClaimsAmounts_NoneForgotten_AnUnclaimedLowerAmountStillPays()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 0);
        ClaimEvens(book, 1, PaymentCreditBook.MaxClaims); // 2, 4, …, 8192

        book.Claim(Key, 1, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Charged);
        book.Claim(Key, 2, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
    }

    [Fact]
    public void Claim_OneAboveMaxClaims_TheLowestHalfFoldedIntoTheFloor_TheNewestRemembered()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 0);
        ClaimEvens(book, 1, PaymentCreditBook.MaxClaims + 1); // 2, 4, …, 8194: the lowest 2,048 (2 … 4096) are folded

        book.Claim(Key, 4_095, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused); // never claimed, at or below the floor
        book.Claim(Key, 4_096, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
        book.Claim(Key, 4_097, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Charged); // above the floor, never claimed
        book.Claim(Key, 4_098, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused); // remembered
        book.Claim(Key, 8_194, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
        book.Claim(Key, 8_195, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Charged);
    }

    [Fact]
    public void Claim_SecondFold_RaisesTheFloorAgain_OverWhatWasLeftAfterTheFirst()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 0);
        ClaimEvens(book, 1, PaymentCreditBook.MaxClaims + 1); // floor 4096, 4098 … 8194 left (2,049)
        ClaimEvens(book, PaymentCreditBook.MaxClaims + 2, PaymentCreditBook.MaxClaims / 2); // 8196 … 12290: 4,097 again

        book.Claim(Key, 8_191, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused); // floor now 8192
        book.Claim(Key, 8_193, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Charged);
        book.Claim(Key, 8_194, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
        book.Claim(Key, 12_290, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Reused);
    }

    [Fact]
    public void TryCharge_DownToExactlyMinusMaxUnpaid_Charged_OneMore_Refused_CreditUnchanged()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 0);

        book.TryCharge(Key, 2_000, 0, 2_000).ShouldBeTrue();
        book.Credit(Key, 0).ShouldBe(-2_000);
        book.TryCharge(Key, 1, 0, 2_000).ShouldBeFalse();
        book.Credit(Key, 0).ShouldBe(-2_000);
        book.TryCharge(Key, 1, 1, 2_000).ShouldBeTrue(); // one more stored pays for it
        book.Credit(Key, 1).ShouldBe(-2_000);
    }

    [Fact]
    public void TryCharge_MoreThanCreditPlusAllowance_Refused_NothingCharged()
    {
        var book = new PaymentCreditBook();
        book.Open(Key, () => 0);

        book.TryCharge(Key, 2_001, 0, 2_000).ShouldBeFalse();
        book.Credit(Key, 0).ShouldBe(BigInteger.Zero);
        book.TryCharge(Key, 2_300, 300, 2_000).ShouldBeTrue();
        book.Credit(Key, 300).ShouldBe(-2_000);
    }

    /// <summary>Claims the even amounts 2·first … 2·(first + count − 1), each for 1, and checks each was charged.</summary>
    private static void ClaimEvens(PaymentCreditBook book, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            book.Claim(Key, 2 * (BigInteger)i, Plenty, 1).Status.ShouldBe(PaymentClaimStatus.Charged);
        }
    }
}
