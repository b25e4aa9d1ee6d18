using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Storage;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// <see cref="PayerChannel"/>'s chain calls against <see cref="FakeChain"/>: refresh, top-up, cooperative and
/// unilateral close, settle. Each asserts the transactions sent (and that a refusal sends none) and the state kept.
/// </summary>
public sealed class PayerChannelChainTests
{
    // A close agreement deadline (unix seconds); the fake chain does not check it.
    private const ulong CloseDeadline = 1_900_000_000;

    private static readonly Address Token = Address.Parse("0x00000000000000000000000000000000000000aa");

    [Fact]
    public async Task Refresh_OpenOnChain_StoresBothDepositsAndStaysOpen()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_500, 0, 70, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var state = await channel.RefreshAsync();

        state.ShouldBe(w.Chain.State);
        channel.Deposit.ShouldBe(new BigInteger(1_500));
        channel.PayeeDeposit.ShouldBe(new BigInteger(70));
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        channel.Remaining.ShouldBe(new BigInteger(1_500));
        var record = (await w.Store.GetChannelAsync(w.Key))!.Record;
        record.Deposit.ShouldBe(new BigInteger(1_500));
        record.PayeeDeposit.ShouldBe(new BigInteger(70));
        record.Status.ShouldBe(PayerChannelStatus.Open);
    }

    [Fact]
    public async Task Refresh_ClosingOnChain_StopsSigningAndAnOpenReadLaterDoesNotReopen()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 1_800_003_600);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();
        channel.Status.ShouldBe(PayerChannelStatus.Closing);
        (await channel.TrySignNextAsync(1)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosing, 1, 0, 1_000));

        w.Chain.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await channel.RefreshAsync();

        channel.Status.ShouldBe(PayerChannelStatus.Closing);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Closing);
    }

    [Fact]
    public async Task Refresh_GoneFromChain_ClosedAndTheLastKnownDepositsKept()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 30, withChain: true);
        w.Chain!.State = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        await channel.RefreshAsync();

        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        channel.Deposit.ShouldBe(new BigInteger(1_000));
        channel.PayeeDeposit.ShouldBe(new BigInteger(30));
        var record = (await w.Store.GetChannelAsync(w.Key))!.Record;
        record.Status.ShouldBe(PayerChannelStatus.Closed);
        record.Deposit.ShouldBe(new BigInteger(1_000));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task TopUp_NotPositive_ThrowsAndSendsNothing(int amount)
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var thrown = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => channel.TopUpAsync(amount));
        thrown.ParamName.ShouldBe("amount");
        thrown.Message.ShouldStartWith("A top-up adds a positive amount.");

        w.Chain!.Sent.ShouldBeEmpty();
        channel.Deposit.ShouldBe(new BigInteger(1_000));
    }

    [Fact]
    public async Task TopUp_Ether_SendsTheAmountAsValueAndReadsTheNewDepositBack()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(1_000);

        var deposit = await channel.TopUpAsync(300);

        deposit.ShouldBe(new BigInteger(1_300));
        var sent = w.Chain.Sent.ShouldHaveSingleItem();
        sent.Function.ShouldBe("topUp");
        sent.To.ShouldBe(PayerWorld.ContractAddress);
        sent.Value.ShouldBe(new BigInteger(300));
        channel.Deposit.ShouldBe(new BigInteger(1_300));
        channel.Remaining.ShouldBe(new BigInteger(300));
        (await w.Store.GetChannelAsync(w.Key))!.Record.Deposit.ShouldBe(new BigInteger(1_300));
    }

    [Fact]
    public async Task TopUp_TokenWithApprove_ApprovesTheTokenFirstAndSendsNoValue()
    {
        using var w = new PayerWorld(1_000, withChain: true, token: Token);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.TopUpAsync(250)).ShouldBe(new BigInteger(1_250));

        w.Chain.Functions.ShouldBe(["approve", "topUp"]);
        w.Chain.Sent[0].To.ShouldBe(Token);
        w.Chain.Sent[1].Value.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task TopUp_TokenWithAllowance_SkipsTheApproval()
    {
        using var w = new PayerWorld(1_000, withChain: true, token: Token);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        await channel.TopUpAsync(250, funding: ChannelFunding.Allowance);

        w.Chain.Functions.ShouldBe(["topUp"]);
    }

    [Fact]
    public async Task TopUp_NoTransactorAndNoFunder_ThrowsAndSendsNothing_AFunderSends()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient(new PayerClientOptions { TimeProvider = w.Clock });
        var channel = await w.ChannelAsync(client);

        var thrown = await Should.ThrowAsync<InvalidOperationException>(() => channel.TopUpAsync(10));
        thrown.Message.ShouldContain("PayerClientOptions.Transactor");
        w.Chain.Sent.ShouldBeEmpty();

        (await channel.TopUpAsync(10, w.Chain)).ShouldBe(new BigInteger(1_010));
        w.Chain.Functions.ShouldBe(["topUp"]);
    }

    [Fact]
    public async Task Close_WithThePayeesSignature_ClosesCooperativelyAndStopsSigning()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 100, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 100, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(400);
        await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 30));
        var theirs = channel.CloseState(CloseDeadline).Sign(w.PayeeKey, w.Contract.Domain);

        var outcome = await channel.CloseAsync(theirs, CloseDeadline);

        outcome.ShouldBe(new CloseOutcome(CloseResult.Settled, 400, 30, 0));
        w.Chain.Functions.ShouldBe(["cooperativeClose"]);
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Closed);
        (await channel.TrySignNextAsync(1)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosed, 1, 400, 1_000));
    }

    [Fact]
    public async Task Close_WithAStrangersSignature_RefusedAndNothingChanges()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(400);
        var wrong = channel.CloseState(CloseDeadline).Sign(w.StrangerKey, w.Contract.Domain);

        var outcome = await channel.CloseAsync(wrong, CloseDeadline);

        outcome.ShouldBe(new CloseOutcome(CloseResult.WrongPayeeSignature, 400, 0, 0));
        w.Chain!.Sent.ShouldBeEmpty();
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Open);
        (await channel.SignNextAsync(1)).Voucher.CumulativeAmount.ShouldBe(new BigInteger(401));
    }

    [Fact]
    public async Task Close_Unilateral_StartsTheCloseAndReportsTheDeadline()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(250);

        var outcome = await channel.CloseAsync();

        outcome.ShouldBe(new CloseOutcome(CloseResult.Closing, 250, 0, w.Chain.HeadTimestamp + w.Chain.ChallengePeriod));
        w.Chain.Functions.ShouldBe(["startClose"]);
        channel.Status.ShouldBe(PayerChannelStatus.Closing);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Closing);
        (await channel.TrySignNextAsync(1)).ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosing, 1, 250, 1_000));
    }

    [Fact]
    public async Task Close_Unilateral_WithAnUnredeemedRefund_RedeemsItInTheSameTransaction()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 100, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 100, 29, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 30));

        (await channel.CloseAsync()).Result.ShouldBe(CloseResult.Closing);

        w.Chain.Functions.ShouldBe(["startCloseWithVoucher"]);
    }

    [Fact]
    public async Task Close_Unilateral_RefundAlreadyRedeemed_PlainStart()
    {
        using var w = new PayerWorld(1_000, payeeDeposit: 100, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 100, 30, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.AcceptRefundAsync(w.Contract.SignVoucher(w.PayeeKey, w.Key.ChannelId, 30));

        (await channel.CloseAsync()).Result.ShouldBe(CloseResult.Closing);

        w.Chain.Functions.ShouldBe(["startClose"]);
    }

    [Fact]
    public async Task Close_AlreadyClosingOnChain_SendsNothingAndReportsTheChainsDeadline()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 1_800_000_123);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var outcome = await channel.CloseAsync();

        outcome.ShouldBe(new CloseOutcome(CloseResult.Closing, 0, 0, 1_800_000_123));
        w.Chain.Sent.ShouldBeEmpty();
        channel.Status.ShouldBe(PayerChannelStatus.Closing);
    }

    [Fact]
    public async Task Close_GoneFromChain_AlreadySettledAndNothingSent()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(10);

        (await channel.CloseAsync()).ShouldBe(new CloseOutcome(CloseResult.AlreadySettled, 10, 0, 0));

        w.Chain.Sent.ShouldBeEmpty();
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
    }

    [Fact]
    public async Task Settle_NotClosingOrGone_RefusedWithTheReasonAndNothingSent()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.NotClosing, 0, 0, 0));
        channel.Status.ShouldBe(PayerChannelStatus.Open);

        w.Chain.State = new ChannelState(false, 0, 0, 0, 0, 0);
        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.AlreadySettled, 0, 0, 0));
        w.Chain.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task Settle_UntilAfterTheDeadline_ChallengePeriodActiveThenSettled()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(70);
        var closing = await channel.CloseAsync();
        var deadline = closing.Deadline;

        w.Chain.NoHead = true;
        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.ChallengePeriodActive, 70, 0, deadline));
        w.Chain.NoHead = false;
        w.Chain.HeadTimestamp = deadline;
        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.ChallengePeriodActive, 70, 0, deadline));
        w.Chain.Functions.ShouldBe(["startClose"]);
        channel.Status.ShouldBe(PayerChannelStatus.Closing);

        w.Chain.HeadTimestamp = deadline + 1;
        (await channel.SettleAsync()).ShouldBe(new CloseOutcome(CloseResult.Settled, 70, 0, deadline));

        w.Chain.Functions.ShouldBe(["startClose", "settle"]);
        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Closed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Close_WhileTheTransactionIsInFlight_SigningIsAlreadyRefused(bool cooperative)
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(100);
        PaymentOutcome? during = null;
        w.Chain.BeforeMine = async _ => during = await channel.TrySignNextAsync(1);

        await channel.CloseAsync(cooperative ? channel.CloseState(CloseDeadline).Sign(w.PayeeKey, w.Contract.Domain) : null, cooperative ? CloseDeadline : 0);

        during.ShouldBe(new PaymentRefused(PaymentRefusalReason.ChannelClosing, 1, 100, 1_000));
        channel.Signed.ShouldBe(new BigInteger(100));
    }

    [Fact]
    public async Task CloseAndSettle_WithAnExplicitSender_ItSendsNotTheClientsTransactor()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        using var sender = new FakeChain(w.StrangerKey.Address);

        await channel.CloseAsync(sender: sender);
        w.Chain.State = new ChannelState(true, 1_000, 0, 0, 0, 1_700_000_000); // closing, deadline passed
        await channel.SettleAsync(sender);
        using var other = new PayerWorld(1_000, withChain: true);
        await using var otherClient = other.NewClient();
        var otherChannel = await other.ChannelAsync(otherClient);
        using var coSender = new FakeChain(w.StrangerKey.Address);
        await otherChannel.CloseAsync(otherChannel.CloseState(CloseDeadline).Sign(other.PayeeKey, other.Contract.Domain), CloseDeadline, coSender);

        sender.Functions.ShouldBe(["startClose", "settle"]);
        coSender.Functions.ShouldBe(["cooperativeClose"]);
        w.Chain.Sent.ShouldBeEmpty();
        other.Chain!.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task Close_ChannelAlreadyClosedHere_StatusNeverMovesBack()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await w.Store.SaveChannelAsync((await w.Store.GetChannelAsync(w.Key))!.Record with { Status = PayerChannelStatus.Closed });
        w.Chain!.State = new ChannelState(true, 1_000, 0, 0, 0, 1_800_000_123);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        (await channel.CloseAsync()).Result.ShouldBe(CloseResult.Closing);

        channel.Status.ShouldBe(PayerChannelStatus.Closed);
        (await w.Store.GetChannelAsync(w.Key))!.Record.Status.ShouldBe(PayerChannelStatus.Closed);
        w.Chain.Sent.ShouldBeEmpty();
    }
}
