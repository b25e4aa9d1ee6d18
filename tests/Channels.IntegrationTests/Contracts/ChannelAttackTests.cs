using System.Globalization;
using System.Numerics;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Testing.Abi;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>The attacks of issue 3, each a named test, against a real node (run once per node kind).</summary>
public abstract class ChannelAttackTests<TNode>(TNode node) : IClassFixture<TNode>
    where TNode : EthereumDevNode
{
    private static readonly BigInteger CurveOrder = BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;
    private static readonly BigInteger MaxAmount = (BigInteger.One << 96) - 1;

    protected TNode Node { get; } = node;

    [Fact]
    public async Task Redeem_VoucherSignedForOtherChainId_RevertsInvalidSigner()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, ChannelWorld.Period, 1_000_000);
        var otherChain = new ChannelDomain(w.Channels.Domain.ChainId + 1, w.Channels.Address);
        var voucher = new Voucher(c.ChannelId, 500);
        var replayed = new SignedVoucher(voucher, voucher.Sign(w.PayerKey, otherChain));

        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c.Channel, replayed), "InvalidSigner");
        (await w.Channels.GetStateAsync(c.ChannelId)).RedeemedByPayee.ShouldBe(BigInteger.Zero);

        // The same voucher signed for this chain is accepted: only the chain id differs.
        await w.Channels.RedeemAsync(w.Payee, c.Channel, w.Channels.SignVoucher(w.PayerKey, c.ChannelId, 500));
        (await w.Channels.GetStateAsync(c.ChannelId)).RedeemedByPayee.ShouldBe(new BigInteger(500));
    }

    [Fact]
    public async Task Redeem_VoucherSignedForOtherContract_RevertsInvalidSigner()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var second = await ChannelContract.DeployAsync(w.Rpc, w.Platform);

        // Both opens in one block: same parameters and nonce (the block number), so only the domain tells them apart.
        var open = new OpenFunction
        {
            Payer = w.PayerKey.Address.ToString(), Payee = w.PayeeKey.Address.ToString(), Token = Address.Zero.ToString(), ChallengePeriod = ChannelWorld.Period, Amount = 1_000_000,
        }.GetCallData();
        await Node.SetAutomineAsync(false);
        Ethereum.Transactions.SignedTransaction toFirst, toSecond;
        try
        {
            toFirst = await w.Sender.SubmitAsync(w.PayerKey, w.Channels.Address, open, 1_000_000, gasLimit: 200_000);
            toSecond = await w.Sender.SubmitAsync(w.PayerKey, second.Address, open, 1_000_000, gasLimit: 200_000);
            await Node.MineAsync();
        }
        finally
        {
            await Node.SetAutomineAsync(true);
        }

        var a = w.Channels.DecodeEvents((await w.Sender.WaitForSuccessAsync(toFirst)).Logs).OfType<Settlement.Channels.Contracts.Events.ChannelOpenedEvent>().Single();
        var b = second.DecodeEvents((await w.Sender.WaitForSuccessAsync(toSecond)).Logs).OfType<Settlement.Channels.Contracts.Events.ChannelOpenedEvent>().Single();
        b.ChannelId.ShouldBe(a.ChannelId);

        var forFirst = w.Channels.SignVoucher(w.PayerKey, a.ChannelId, 700);
        await ShouldRevert(() => second.RedeemAsync(w.Payee, b.Channel, forFirst), "InvalidSigner");
        await w.Channels.RedeemAsync(w.Payee, a.Channel, forFirst);
        (await second.GetStateAsync(b.ChannelId)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        (await w.Channels.GetStateAsync(a.ChannelId)).RedeemedByPayee.ShouldBe(new BigInteger(700));
    }

    [Fact]
    public async Task Redeem_VoucherOfClosedChannelOnReopenedChannel_Reverts()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var first = await w.OpenAsync(1_000_000);
        var old = w.Channels.SignVoucher(w.PayerKey, first.Id, 400_000);
        var final = new CooperativeCloseState(first.Id, 0, 0, await w.CloseDeadlineAsync());
        await w.Channels.CooperativeCloseAsync(w.Payee, first, final, final.Sign(w.PayerKey, w.Channels.Domain), null);

        var reopened = await w.OpenAsync(1_000_000);
        reopened.Nonce.ShouldBeGreaterThan(first.Nonce);
        reopened.Id.ShouldNotBe(first.Id);

        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, reopened, old), "InvalidSigner");
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, first, old), "ChannelNotFound");
        (await w.Channels.GetStateAsync(reopened.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Redeem_HighSSignature_RevertsECDSAInvalidSignatureS()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var good = w.Channels.SignVoucher(w.PayerKey, c.Id, 300_000);

        // The malleable twin (n − s, other parity) is a valid ECDSA signature of the same digest by the same key.
        var s = new BigInteger(good.Signature.S, isUnsigned: true, isBigEndian: true);
        var highS = (CurveOrder - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        highS.Length.ShouldBe(32);
        var v = good.Signature.V == 27 ? 28 : 27;
        (await EcrecoverOnChainAsync(w, good.Voucher.Digest(w.Channels.Domain), good.Signature.R.ToArray(), highS, v)).ShouldBe(w.PayerKey.Address);

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => w.Channels.SendAsync(
            w.Payee,
            new RedeemFunction { C = ChannelContract.Tuple(c), CumulativeAmount = good.Voucher.CumulativeAmount, Sig = new SignatureStruct { V = (byte)v, R = good.Signature.R.ToArray(), S = highS } },
            BigInteger.Zero,
            CancellationToken.None));
        ex.ErrorName.ShouldBe("ECDSAInvalidSignatureS");

        await w.Channels.RedeemAsync(w.Payee, c, good);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(300_000));
    }

    [Fact]
    public async Task RedeemBatch_HighSCompactSignature_RevertsECDSAInvalidSignatureS()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var first = await w.OpenAsync(1_000_000);
        var second = await w.OpenAsync(1_000_000);
        var batch = ChannelContract.EncodeBatch(
        [
            (first, w.Channels.SignVoucher(w.PayerKey, first.Id, 100_000)),
            (second, w.Channels.SignVoucher(w.PayerKey, second.Id, 200_000)),
        ]);

        // In the compact form s has 255 bits, so the s values above n/2 it can carry are (n/2, 2^255). The malleable
        // twin n − s of a low s lies there only with negligible probability (it almost always needs bit 255, which is
        // the v bit), so the test puts such an s, with the second item's real r, into the vs word directly. The
        // contract must refuse it by the s bound alone (OpenZeppelin's error, carrying that s), and the valid first
        // item must not be redeemed either.
        var highS = (CurveOrder / 2) + 1;
        highS.ShouldBeLessThan(BigInteger.One << 255);
        highS.ToByteArray(isUnsigned: true, isBigEndian: true).CopyTo(batch, ChannelContract.BatchHeaderSize + ChannelContract.BatchItemSize + 69);
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => w.Channels.SendAsync(
            w.Payee, RedeemBatch(w, batch), BigInteger.Zero, CancellationToken.None));
        ex.ErrorName.ShouldBe("ECDSAInvalidSignatureS");
        new BigInteger((byte[])ex.Reason!.Arguments[0]!, isUnsigned: true, isBigEndian: true).ShouldBe(highS);

        (await w.Channels.GetStateAsync(first.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        (await w.Channels.GetStateAsync(second.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task RedeemBatch_MalformedPackedBatch_RevertsMalformedBatch()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var valid = ChannelContract.EncodeBatch([(c, w.Channels.SignVoucher(w.PayerKey, c.Id, 100_000))]);
        var before = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        // Empty, the challenge-period header alone, one byte short, one byte over, and one and a half items.
        byte[][] malformed = [[], valid[..4], valid[..^1], [.. valid, 0], [.. valid, .. valid[4..54]]];
        foreach (var batch in malformed)
        {
            var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => w.Channels.SendAsync(
                w.Payee, RedeemBatch(w, batch), BigInteger.Zero, CancellationToken.None));
            ex.ErrorName.ShouldBe("MalformedBatch");
        }

        // A well-formed item whose amount was altered no longer matches the payer's signature.
        var tampered = valid.ToArray();
        tampered[4 + 36] ^= 1;
        await ShouldRevert(() => w.Channels.SendAsync(w.Payee, RedeemBatch(w, tampered), BigInteger.Zero, CancellationToken.None), "InvalidSigner");

        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(BigInteger.Zero);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(before);
        await w.Channels.SendAsync(w.Payee, RedeemBatch(w, valid), BigInteger.Zero, CancellationToken.None);
        (await w.Channels.GetStateAsync(c.Id)).RedeemedByPayee.ShouldBe(new BigInteger(100_000));
    }

    [Fact]
    public async Task Redeem_VoucherFromWrongSigner_RevertsInvalidSigner()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var forged = w.Channels.SignVoucher(w.OtherKey, c.Id, 1_000_000);
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, forged), "InvalidSigner");
        await ShouldRevert(() => w.Channels.StartCloseWithVoucherAsync(w.Payee, c, forged), "InvalidSigner");
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(1_000_000));
    }

    [Fact]
    public async Task Dispute_StaleStateBeatenByNewerVoucher_PayeeGetsNewerAmount()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        // The payee withdrew 300,000 earlier; the payer then closes, hoping the chain's stale state is final.
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 300_000));
        var newest = w.Channels.SignVoucher(w.PayerKey, c.Id, 700_000);
        await w.Channels.StartCloseAsync(w.Payer, c);

        // Within the window the payee answers with the newest voucher; the stale one can no longer be used.
        await w.Channels.RedeemAsync(w.Payee, c, newest);
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 300_000)), "VoucherNotNewer");
        await ShouldRevert(() => w.Channels.SettleAsync(w.Payer, c), "ChallengePeriodActive");

        await w.PassChallengePeriodAsync();
        await w.Channels.SettleAsync(w.Other, c);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(700_000));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(300_000));
        (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
    }

    [Fact]
    public async Task Redeem_ChallengeAfterWindow_RevertsChallengePeriodOver()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        await w.Channels.StartCloseAsync(w.Payer, c);
        await w.PassChallengePeriodAsync();

        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 900_000)), "ChallengePeriodOver");
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        await w.Channels.SettleAsync(w.Payer, c);
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(1_000_000));
    }

    [Fact]
    public async Task CooperativeClose_FrontRunByUnilateralClose_StillPaysAgreedState()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var agreed = new CooperativeCloseState(c.Id, 600_000, 0, await w.CloseDeadlineAsync());
        var payerSignature = agreed.Sign(w.PayerKey, w.Channels.Domain);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);

        // The payer signed, then front-runs the payee's cooperative close with a unilateral close.
        await w.Channels.StartCloseAsync(w.Payer, c);
        await w.Channels.CooperativeCloseAsync(w.Payee, c, agreed, payerSignature, null);

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(600_000));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(400_000));
        await ShouldRevert(() => w.Channels.SettleAsync(w.Payer, c), "ChannelNotFound");
    }

    [Fact]
    public async Task CooperativeClose_FrontRunInSameBlock_BothIncludedAgreedStatePaid()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var agreed = new CooperativeCloseState(c.Id, 700_000, 0, await w.CloseDeadlineAsync());
        var payerSignature = agreed.Sign(w.PayerKey, w.Channels.Domain);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var closeCall = new StartCloseFunction { C = ChannelContract.Tuple(c) }.GetCallData();
        var cooperativeCall = new CooperativeCloseFunction
        {
            C = ChannelContract.Tuple(c),
            PayerToPayee = agreed.PayerToPayee,
            PayeeToPayer = agreed.PayeeToPayer,
            Deadline = agreed.Deadline,
            PayerSig = new SignatureStruct { V = payerSignature.V, R = payerSignature.R.ToArray(), S = payerSignature.S.ToArray() },
            PayeeSig = new SignatureStruct { V = 0, R = new byte[32], S = new byte[32] },
        }.GetCallData();

        // Both transactions wait in the mempool; the payer's unilateral close is ordered first in the same block.
        await Node.SetAutomineAsync(false);
        Ethereum.Transactions.SignedTransaction frontRun, honest;
        try
        {
            frontRun = await w.Sender.SubmitAsync(w.PayerKey, w.Channels.Address, closeCall, 0, gasLimit: 200_000);
            honest = await w.Sender.SubmitAsync(w.PayeeKey, w.Channels.Address, cooperativeCall, 0, gasLimit: 200_000);
            await Node.MineAsync();
        }
        finally
        {
            await Node.SetAutomineAsync(true);
        }

        var first = await w.Sender.WaitForSuccessAsync(frontRun);
        var second = await w.Sender.WaitForSuccessAsync(honest);
        second.BlockNumber.ShouldBe(first.BlockNumber);
        second.TransactionIndex.ShouldBeGreaterThan(first.TransactionIndex);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(700_000));
        (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
    }

    [Fact]
    public async Task Redeem_PayerFrontRunsWithClose_PayeeStillPaidWithinWindow()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var voucher = w.Channels.SignVoucher(w.PayerKey, c.Id, 450_000);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        await w.Channels.StartCloseAsync(w.Payer, c);
        await ShouldRevert(() => w.Channels.StartCloseAsync(w.Payee, c), "ChannelClosingAlready");
        await ShouldRevert(() => w.Channels.StartCloseAsync(w.Other, c), "NotParticipant");
        await w.Channels.RedeemAsync(w.Payee, c, voucher);
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(450_000));
    }

    [Fact]
    public async Task Redeem_AmountBeyondDeposit_RevertsAmountExceedsDeposit()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 1_000_001)), "AmountExceedsDeposit");
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, MaxUint256)), "AmountExceedsDeposit");
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, MaxAmount + 1)), "AmountExceedsDeposit");

        // The payee's own voucher pays the payer from the payee's deposit, which is zero.
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payer, c, w.Channels.SignVoucher(w.PayeeKey, c.Id, 1)), "AmountExceedsDeposit");

        var final = new CooperativeCloseState(c.Id, 1_000_001, 0, await w.CloseDeadlineAsync());
        await ShouldRevert(() => w.Channels.CooperativeCloseAsync(w.Payee, c, final, final.Sign(w.PayerKey, w.Channels.Domain), null), "InvalidFinalState");
        var wrapped = new CooperativeCloseState(c.Id, MaxUint256, MaxUint256, await w.CloseDeadlineAsync());
        await ShouldRevert(() => w.Channels.CooperativeCloseAsync(w.Payee, c, wrapped, wrapped.Sign(w.PayerKey, w.Channels.Domain), null), "InvalidFinalState");

        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000_000, 0, 0, 0, 0));
    }

    [Fact]
    public async Task Open_AmountsNear2Pow256_RevertAmountTooLarge()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, MaxUint256);
        await ShouldRevert(
            () => w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, MaxUint256),
            "AmountTooLarge");

        // ETH: a deposit side holds at most 2^96 − 1; a top-up past it is refused, nothing wraps.
        await Node.SetBalanceAsync(w.PayerKey.Address, BigInteger.One << 100);
        var c = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, ChannelWorld.Period, MaxAmount);
        await ShouldRevert(() => w.Channels.TopUpAsync(w.Payer, c.Channel, 1), "AmountTooLarge");
        (await w.Channels.GetStateAsync(c.ChannelId)).PayerDeposit.ShouldBe(MaxAmount);
        await w.Channels.RedeemAsync(w.Payee, c.Channel, w.Channels.SignVoucher(w.PayerKey, c.ChannelId, MaxAmount));
        (await w.Channels.GetStateAsync(c.ChannelId)).RedeemedByPayee.ShouldBe(MaxAmount);
    }

    [Fact]
    public async Task Reentrancy_MaliciousTokenReentersDuringDepositAndPayout_Blocked()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var token = await w.DeployTokenAsync(TestArtifacts.ReentrantToken, []);
        await token.MintAsync(w.Platform, w.PayerKey.Address, 10_000_000);
        var arm = TestFunction.Parse("function arm(address target, bytes data)");
        var attempted = TestFunction.Parse("function attempted() view returns (bool)");
        var succeeded = TestFunction.Parse("function reentrySucceeded() view returns (bool)");
        var result = TestFunction.Parse("function reentryResult() view returns (bytes)");
        var guardSelector = ABITypedRegistry.GetError<ReentrancyGuardReentrantCallError>().Sha3Signature.HexToByteArray();

        // During the deposit's transferFrom the token tries to open a second channel.
        var reopen = new OpenFunction
        {
            Payer = w.PayerKey.Address.ToString(),
            Payee = w.PayeeKey.Address.ToString(),
            Token = token.Address.ToString(),
            ChallengePeriod = ChannelWorld.Period,
            Amount = BigInteger.One,
        }.GetCallData();
        await w.Payer.SendAsync(token.Address, arm.EncodeCall(w.Channels.Address, reopen), 0);
        var c = await w.OpenAsync(1_000_000, token: token);
        await AssertReentryRefused();
        (await w.Channels.GetEventsAsync(c.Nonce, c.Nonce)).OfType<Settlement.Channels.Contracts.Events.ChannelOpenedEvent>().Count().ShouldBe(1);

        // During the payout transfer the token replays the same voucher.
        var voucher = w.Channels.SignVoucher(w.PayerKey, c.Id, 400_000);
        var replay = new RedeemFunction
        {
            C = ChannelContract.Tuple(c),
            CumulativeAmount = voucher.Voucher.CumulativeAmount,
            Sig = new SignatureStruct { V = voucher.Signature.V, R = voucher.Signature.R.ToArray(), S = voucher.Signature.S.ToArray() },
        }.GetCallData();
        await w.Payer.SendAsync(token.Address, arm.EncodeCall(w.Channels.Address, replay), 0);
        await w.Channels.RedeemAsync(w.Payee, c, voucher);
        await AssertReentryRefused();

        (await token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(new BigInteger(400_000));
        (await token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(600_000));
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000_000, 400_000, 0, 0, 0));

        async Task AssertReentryRefused()
        {
            (await View(attempted)).ShouldBe(true);
            (await View(succeeded)).ShouldBe(false);
            ((byte[])(await View(result))!).ShouldBe(guardSelector);
        }

        async Task<object?> View(TestFunction f) =>
            f.DecodeOutput(await w.Rpc.CallAsync(new Ethereum.Rpc.CallRequest { To = token.Address, Data = f.EncodeCall() }))[0];
    }

    [Fact]
    public async Task FeeOnTransferToken_DepositAndPayouts_CreditReceivedAmountsOnly()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var token = await w.DeployTokenAsync(TestArtifacts.FeeOnTransferToken, ["uint256"], (BigInteger)100); // 1 %
        await token.MintAsync(w.Platform, w.PayerKey.Address, 10_000_000);

        await token.ApproveAsync(w.Payer, w.Channels.Address, 1_000_000);
        var opened = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, token.Address, ChannelWorld.Period, 1_000_000);
        opened.Deposit.ShouldBe(new BigInteger(990_000));
        var c = opened.Channel;
        (await w.Channels.GetStateAsync(c.Id)).PayerDeposit.ShouldBe(new BigInteger(990_000));
        (await token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(990_000));

        await token.ApproveAsync(w.Payer, w.Channels.Address, 100_000);
        await w.Channels.TopUpAsync(w.Payer, c, 100_000);
        (await w.Channels.GetStateAsync(c.Id)).PayerDeposit.ShouldBe(new BigInteger(1_089_000));

        // A voucher for what was asked (1,100,000) exceeds what arrived.
        await ShouldRevert(() => w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 1_100_000)), "AmountExceedsDeposit");
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 500_000));
        (await token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(589_000)); // escrow = deposit − redeemed
        (await token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(new BigInteger(495_000)); // the token's fee on the way out

        await w.Channels.StartCloseAsync(w.Payer, c);
        await w.PassChallengePeriodAsync();
        await w.Channels.SettleAsync(w.Payer, c);
        (await token.BalanceOfAsync(w.Channels.Address)).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Deposit_ReorgedAway_NotCreditedByClient()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var reader = new ConfirmedChannelReader(w.Channels, w.Rpc, confirmations: 2);
        var snapshot = await Node.SnapshotAsync();

        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 1_000_000);
        var opened = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, 1_000_000);
        (await reader.GetConfirmedStateAsync(opened.ChannelId)).Exists.ShouldBeFalse(); // not buried yet
        (await reader.IsConfirmedAsync(opened)).ShouldBeFalse();
        await Node.MineAsync(2);
        (await reader.GetConfirmedStateAsync(opened.ChannelId)).PayerDeposit.ShouldBe(new BigInteger(1_000_000));
        (await reader.IsConfirmedAsync(opened)).ShouldBeTrue();

        // The blocks holding the deposit are dropped; the chain grows again past that height without it.
        (await Node.RevertAsync(snapshot)).ShouldBeTrue();
        await Node.MineAsync(5);

        (await reader.GetConfirmedStateAsync(opened.ChannelId)).ShouldBe(new ChannelState(false, 0, 0, 0, 0, 0));
        (await reader.IsConfirmedAsync(opened)).ShouldBeFalse();
        (await w.Channels.GetStateAsync(opened.ChannelId)).Exists.ShouldBeFalse();
    }

    private static async Task ShouldRevert(Func<Task> action, string errorName)
    {
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(action);
        ex.ErrorName.ShouldBe(errorName);
    }

    /// <summary>Recovers with the chain's ecrecover precompile (address 0x01), which accepts high s.</summary>
    private static async Task<Address> EcrecoverOnChainAsync(ChannelWorld w, byte[] digest, byte[] r, byte[] s, int v)
    {
        var input = new byte[128];
        digest.CopyTo(input, 0);
        input[63] = (byte)v;
        r.CopyTo(input, 64);
        s.CopyTo(input, 96);
        var output = await w.Rpc.CallAsync(new Ethereum.Rpc.CallRequest { To = Address.Parse("0x0000000000000000000000000000000000000001"), Data = input });
        output.Length.ShouldBe(32);
        return Address.FromBytes(output.AsSpan(12));
    }

    private static RedeemBatchFunction RedeemBatch(ChannelWorld w, byte[] batch) => new() { Token = w.Token.Address.ToString(), Batch = batch };
}
