using System.Numerics;
using Nethereum.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Channels.IntegrationTests.Support;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;
using Settlement.Testing.Abi;
using Settlement.Testing;

namespace Settlement.Channels.IntegrationTests.Contracts;

/// <summary>The channel contract's happy paths through the C# client, against a real node (once per node kind).</summary>
public abstract class ChannelLifecycleTests<TNode>(TNode node) : IClassFixture<TNode>
    where TNode : EthereumDevNode
{
    protected TNode Node { get; } = node;

    [Fact]
    public async Task DomainSeparator_DeployedContract_MatchesClientDomain()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        (await w.Channels.GetDomainSeparatorAsync()).ShouldBe(w.Channels.Domain.Separator.ToArray());
        var voucher = new Voucher(ChannelId.FromBytes(new byte[32]), 12345);
        var output = await w.Rpc.CallAsync(new CallRequest
        {
            To = w.Channels.Address,
            Data = new VoucherDigestFunction { ChannelId = new byte[32], CumulativeAmount = 12345 }.GetCallData(),
        });
        output.ShouldBe(voucher.Digest(w.Channels.Domain)); // one bytes32 word
    }

    [Fact]
    public async Task Open_Erc20WithDeposit_CreditsDepositAndEmitsOpened()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 2_000_000);
        var opened = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, 2_000_000);

        // v2: the nonce is the opening block's number.
        opened.Channel.ShouldBe(new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, opened.BlockNumber!.Value));
        opened.ChannelId.ShouldBe(opened.Channel.Id);
        opened.Funder.ShouldBe(w.PayerKey.Address);
        opened.Deposit.ShouldBe(new BigInteger(2_000_000));
        (await w.Channels.GetStateAsync(opened.ChannelId)).ShouldBe(new ChannelState(true, 2_000_000, 0, 0, 0, 0));
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(2_000_000));
    }

    [Fact]
    public async Task Open_OnBehalfOfUser_PlatformFundsUsersChannel()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var platformBefore = await w.Token.BalanceOfAsync(w.PlatformKey.Address);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var c = await w.OpenAsync(750_000, funder: w.Platform);

        c.Payer.ShouldBe(w.PayerKey.Address);
        (platformBefore - await w.Token.BalanceOfAsync(w.PlatformKey.Address)).ShouldBe(new BigInteger(750_000));

        // The user owns the channel: its refund goes to the user, not the platform.
        await w.Channels.StartCloseAsync(w.Payer, c);
        await w.PassChallengePeriodAsync();
        await w.Channels.SettleAsync(w.Other, c);
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(750_000));
    }

    [Fact]
    public async Task Open_InvalidParameters_RevertWithReason()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var me = w.PayerKey.Address;
        async Task Reverts(Func<Task> open, string error) =>
            (await Should.ThrowAsync<ChannelContractRevertException>(open)).ErrorName.ShouldBe(error);

        await Reverts(() => w.Channels.OpenAsync(w.Payer, me, me, Address.Zero, ChannelWorld.Period, 1), "InvalidParticipants");
        await Reverts(() => w.Channels.OpenAsync(w.Payer, Address.Zero, w.PayeeKey.Address, Address.Zero, ChannelWorld.Period, 1), "InvalidParticipants");
        await Reverts(() => w.Channels.OpenAsync(w.Payer, me, w.PayeeKey.Address, Address.Zero, 3599, 1), "InvalidChallengePeriod");
        await Reverts(() => w.Channels.OpenAsync(w.Payer, me, w.PayeeKey.Address, Address.Zero, 30 * 86400 + 1, 1), "InvalidChallengePeriod");
        await Reverts(() => w.Channels.SendAsync(
            w.Payer,
            new OpenFunction { Payer = me.ToString(), Payee = w.PayeeKey.Address.ToString(), Token = Address.Zero.ToString(), ChallengePeriod = ChannelWorld.Period, Amount = 5 },
            4,
            CancellationToken.None), "WrongEthValue");
        (await w.Channels.GetEventsAsync(BlockParameter.Earliest, BlockParameter.Latest)).ShouldBeEmpty();
    }

    [Fact]
    public async Task OpenWithPermit_SignedPermit_OpensInOneTransactionWithoutApprove()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var amount = new BigInteger(1_250_000);
        var deadline = new BigInteger(await w.LatestTimestampAsync() + 3600);
        var permit = w.PayerKey.Sign(PermitDigest(w, amount, await w.Token.NoncesAsync(w.PayerKey.Address), deadline));

        var opened = await w.Channels.OpenWithPermitAsync(w.Payer, w.PayerKey.Address, w.PayeeKey.Address, w.Token.Address, ChannelWorld.Period, amount, deadline, permit);
        opened.Deposit.ShouldBe(amount);
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(amount);
        (await w.Token.NoncesAsync(w.PayerKey.Address)).ShouldBe(BigInteger.One);
    }

    [Fact]
    public async Task OpenAndRedeem_TokenWithoutReturnValue_Works()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var token = await w.DeployTokenAsync(TestArtifacts.NoReturnToken, []);
        await token.MintAsync(w.Platform, w.PayerKey.Address, 5_000_000);
        var c = await w.OpenAsync(1_000_000, token: token);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 250_000));
        (await token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(new BigInteger(250_000));
        (await token.BalanceOfAsync(w.Channels.Address)).ShouldBe(new BigInteger(750_000));
    }

    [Fact]
    public async Task TopUp_OpenChannel_AddsToDepositFromAnyFunder()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        await w.Token.ApproveAsync(w.Platform, w.Channels.Address, 400_000);
        var receipt = await w.Channels.TopUpAsync(w.Platform, c, 400_000);
        var e = w.Channels.DecodeEvents(receipt.Logs).OfType<ChannelToppedUpEvent>().Single();
        e.ShouldBe(new ChannelToppedUpEvent(c.Id, c.Payer, c.Payee, c.Token, w.PlatformKey.Address, false, 400_000, 1_400_000) with
        {
            BlockNumber = e.BlockNumber, BlockHash = e.BlockHash, TransactionHash = e.TransactionHash, LogIndex = e.LogIndex,
        });
        (await w.Channels.GetStateAsync(c.Id)).PayerDeposit.ShouldBe(new BigInteger(1_400_000));

        await w.Channels.StartCloseAsync(w.Payee, c);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 1);
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => w.Channels.TopUpAsync(w.Payer, c, 1));
        ex.ErrorName.ShouldBe("ChannelClosingAlready");
    }

    [Fact]
    public async Task Redeem_PartialWithdraw_PaysDifferenceAndStreamContinues()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var before = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 100_000));
        // The stream goes on; a watchtower (anyone) can redeem the next voucher, the payee is paid.
        var receipt = await w.Channels.RedeemAsync(w.Other, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 350_000));

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - before).ShouldBe(new BigInteger(350_000));
        var e = w.Channels.DecodeEvents(receipt.Logs).OfType<VoucherRedeemedEvent>().Single();
        (e.PayerToPayee, e.Amount, e.CumulativeAmount).ShouldBe((true, new BigInteger(250_000), new BigInteger(350_000)));
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000_000, 350_000, 0, 0, 0));
    }

    [Fact]
    public async Task Bidirectional_BothSidesPayAndCloseCooperatively_BalancesConserved()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        await w.Token.ApproveAsync(w.Payee, w.Channels.Address, 300_000);
        await w.Channels.TopUpPayeeAsync(w.Payee, c, 300_000);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);

        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 200_000));
        await w.Channels.RedeemAsync(w.Payer, c, w.Channels.SignVoucher(w.PayeeKey, c.Id, 50_000));
        (await w.Channels.GetStateAsync(c.Id)).ShouldBe(new ChannelState(true, 1_000_000, 200_000, 300_000, 50_000, 0));

        var final = new CooperativeCloseState(c.Id, 250_000, 100_000, await w.CloseDeadlineAsync());
        await w.Channels.CooperativeCloseAsync(
            w.Other, c, final, final.Sign(w.PayerKey, w.Channels.Domain), final.Sign(w.PayeeKey, w.Channels.Domain));

        var payerGain = await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore;
        var payeeGain = await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore;
        payeeGain.ShouldBe(new BigInteger(250_000 + 300_000 - 100_000));
        payerGain.ShouldBe(new BigInteger(100_000 + 1_000_000 - 250_000));
        (payerGain + payeeGain).ShouldBe(new BigInteger(1_300_000));
        (await w.Token.BalanceOfAsync(w.Channels.Address)).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task CooperativeClose_PayeeSendsWithPayerSignature_PaysBothAtOnce()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        await w.Channels.RedeemAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 100_000));
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var final = new CooperativeCloseState(c.Id, 640_000, 0, await w.CloseDeadlineAsync());

        // The payer's signature is required; a forged one (by the payee) is refused.
        var ex = await Should.ThrowAsync<ChannelContractRevertException>(
            () => w.Channels.CooperativeCloseAsync(w.Payee, c, final, final.Sign(w.PayeeKey, w.Channels.Domain), null));
        ex.ErrorName.ShouldBe("InvalidSigner");
        var receipt = await w.Channels.CooperativeCloseAsync(w.Payee, c, final, final.Sign(w.PayerKey, w.Channels.Domain), null);

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(540_000));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(360_000));
        var settled = w.Channels.DecodeEvents(receipt.Logs).OfType<ChannelSettledEvent>().Single();
        (settled.Cooperative, settled.ToPayer, settled.ToPayee).ShouldBe((true, new BigInteger(360_000), new BigInteger(540_000)));
        (await w.Channels.GetStateAsync(c.Id)).Exists.ShouldBeFalse();
    }

    [Fact]
    public async Task UnilateralClose_PayeeWithNewestVoucherThenSettle_PaysBothSides()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var c = await w.OpenAsync(1_000_000);
        var payerBefore = await w.Token.BalanceOfAsync(w.PayerKey.Address);
        var payeeBefore = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var receipt = await w.Channels.StartCloseWithVoucherAsync(w.Payee, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 820_000));
        var closing = w.Channels.DecodeEvents(receipt.Logs).OfType<ChannelClosingEvent>().Single();
        closing.Deadline.ShouldBe(await w.LatestTimestampAsync() + ChannelWorld.Period);
        (await w.Channels.GetStateAsync(c.Id)).CloseDeadline.ShouldBe(closing.Deadline);

        var early = await Should.ThrowAsync<ChannelContractRevertException>(() => w.Channels.SettleAsync(w.Payer, c));
        early.ErrorName.ShouldBe("ChallengePeriodActive");
        await w.PassChallengePeriodAsync();
        await w.Channels.SettleAsync(w.Payer, c);

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - payeeBefore).ShouldBe(new BigInteger(820_000));
        (await w.Token.BalanceOfAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(180_000));
    }

    [Fact]
    public async Task RedeemBatch_ManyChannels_PaysTotalInOneTransfer()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var channels = new List<ChannelParameters>();
        for (var i = 0; i < 4; i++)
        {
            channels.Add(await w.OpenAsync(1_000_000, payer: i % 2 == 0 ? w.PayerKey.Address : null, funder: i % 2 == 0 ? w.Payer : w.Platform));
        }

        await w.Channels.RedeemAsync(w.Payee, channels[0], w.Channels.SignVoucher(w.PayerKey, channels[0].Id, 50_000));
        var before = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var items = channels.Select((c, i) => (c, w.Channels.SignVoucher(w.PayerKey, c.Id, 100_000 * (i + 1)))).ToList();
        var receipt = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, items);

        (await w.Token.BalanceOfAsync(w.PayeeKey.Address) - before).ShouldBe(new BigInteger(1_000_000 - 50_000));
        var events = w.Channels.DecodeEvents(receipt.Logs).OfType<BatchVoucherRedeemedEvent>().ToList();
        events.Select(e => e.ChannelId).ShouldBe(channels.Select(c => c.Id));
        events.Select(e => e.CumulativeAmount).ShouldBe([100_000, 200_000, 300_000, 400_000]);
        w.Channels.DecodeEvents(receipt.Logs).OfType<VoucherRedeemedEvent>().ShouldBeEmpty();
        for (var i = 0; i < channels.Count; i++)
        {
            (await w.Channels.GetStateAsync(channels[i].Id)).RedeemedByPayee.ShouldBe(new BigInteger(100_000 * (i + 1)));
        }

        ChannelContract.BatchOutcomes(receipt, w.Channels.Address, items)
            .ShouldBe(channels.Select((c, i) => (BatchItemOutcome)new BatchItemRedeemed(c.Id, 100_000 * (i + 1))));

        // Replaying the batch pays nothing twice: every item is skipped as already redeemed (v1 reverted).
        var afterFirst = await w.Token.BalanceOfAsync(w.PayeeKey.Address);
        var replay = await w.Channels.RedeemBatchAsync(w.Payee, w.Token.Address, items);
        ChannelContract.BatchOutcomes(replay, w.Channels.Address, items)
            .ShouldBe(channels.Select((c, i) => (BatchItemOutcome)new BatchItemSkipped(c.Id, 100_000 * (i + 1), BatchSkipReason.AlreadyRedeemed)));
        w.Channels.DecodeEvents(replay.Logs).OfType<BatchVoucherRedeemedEvent>().ShouldBeEmpty();
        (await w.Token.BalanceOfAsync(w.PayeeKey.Address)).ShouldBe(afterFirst);
    }

    [Fact]
    public async Task Settle_RecipientReverts_OtherSidePaidAndAmountOwed()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var receiver = await TestArtifacts.DeployAsync(w.Platform, TestArtifacts.RevertingReceiver, []);
        var opened = await w.Channels.OpenAsync(w.Payer, w.PayerKey.Address, receiver, Address.Zero, ChannelWorld.Period, 1_000_000);
        var c = opened.Channel;
        await w.Channels.TopUpPayeeAsync(w.Platform, c, 500_000);

        // The payee contract refuses ETH: its redemption is deferred, not reverted.
        var redeem = await w.Channels.RedeemAsync(w.Other, c, w.Channels.SignVoucher(w.PayerKey, c.Id, 300_000));
        w.Channels.DecodeEvents(redeem.Logs).OfType<PayoutDeferredEvent>().Single().Amount.ShouldBe(new BigInteger(300_000));

        await w.Channels.StartCloseAsync(w.Payer, c);
        await w.PassChallengePeriodAsync();
        var payerBefore = await w.Node.BalanceAsync(w.PayerKey.Address);
        await w.Channels.SettleAsync(w.Other, c); // sent by a third party so the payer's balance change is exact
        (await w.Node.BalanceAsync(w.PayerKey.Address) - payerBefore).ShouldBe(new BigInteger(700_000));
        (await w.Channels.GetOwedAsync(Address.Zero, receiver)).ShouldBe(new BigInteger(800_000));

        // The receiver pulls what it is owed to an address of its choice.
        var withdraw = new WithdrawOwedFunction { Token = Address.Zero.ToString(), To = w.OtherKey.Address.ToString() }.GetCallData();
        var execute = TestFunction.Parse("function execute(address target, bytes data) payable returns (bytes)");
        var otherBefore = await w.Node.BalanceAsync(w.OtherKey.Address);
        await w.Platform.SendAsync(receiver, execute.EncodeCall(w.Channels.Address, withdraw), 0);
        (await w.Node.BalanceAsync(w.OtherKey.Address) - otherBefore).ShouldBe(new BigInteger(800_000));
        (await w.Channels.GetOwedAsync(Address.Zero, receiver)).ShouldBe(BigInteger.Zero);
    }

    [Fact]
    public async Task Events_ReplayedFromLogs_RebuildEveryChannelState()
    {
        using var w = await ChannelWorld.CreateAsync(Node);
        var from = await w.Rpc.GetBlockNumberAsync();
        var a = await w.OpenAsync(1_000_000);
        var b = await w.OpenAsync(2_000_000, funder: w.Platform);
        var settled = await w.OpenAsync(500_000);
        await w.Token.ApproveAsync(w.Payer, w.Channels.Address, 10_000);
        await w.Channels.TopUpAsync(w.Payer, a, 10_000);
        await w.Token.ApproveAsync(w.Payee, w.Channels.Address, 70_000);
        await w.Channels.TopUpPayeeAsync(w.Payee, b, 70_000);
        await w.Channels.RedeemAsync(w.Payee, a, w.Channels.SignVoucher(w.PayerKey, a.Id, 123_000));
        await w.Channels.RedeemAsync(w.Payer, b, w.Channels.SignVoucher(w.PayeeKey, b.Id, 20_000));
        await w.Channels.RedeemBatchAsync(
            w.Payee, w.Token.Address, [(a, w.Channels.SignVoucher(w.PayerKey, a.Id, 456_000)), (b, w.Channels.SignVoucher(w.PayerKey, b.Id, 300_000))]);
        await w.Channels.StartCloseWithVoucherAsync(w.Payee, b, w.Channels.SignVoucher(w.PayerKey, b.Id, 900_000));
        var final = new CooperativeCloseState(settled.Id, 1, 0, await w.CloseDeadlineAsync());
        await w.Channels.CooperativeCloseAsync(w.Payee, settled, final, final.Sign(w.PayerKey, w.Channels.Domain), null);

        var rebuilt = new Dictionary<ChannelId, ChannelState>();
        foreach (var e in await w.Channels.GetEventsAsync(from, BlockParameter.Latest))
        {
            switch (e)
            {
                case ChannelOpenedEvent o:
                    rebuilt[o.ChannelId] = new ChannelState(true, o.Deposit, 0, 0, 0, 0);
                    break;
                case ChannelToppedUpEvent t:
                    rebuilt[t.ChannelId] = t.PayeeSide ? rebuilt[t.ChannelId] with { PayeeDeposit = t.Deposit } : rebuilt[t.ChannelId] with { PayerDeposit = t.Deposit };
                    break;
                case VoucherRedeemedEvent r:
                    rebuilt[r.ChannelId] = r.PayerToPayee ? rebuilt[r.ChannelId] with { RedeemedByPayee = r.CumulativeAmount } : rebuilt[r.ChannelId] with { RedeemedByPayer = r.CumulativeAmount };
                    break;
                case BatchVoucherRedeemedEvent r:
                    // Always payer → payee; the parties and token are those of the channel's ChannelOpened.
                    rebuilt[r.ChannelId] = rebuilt[r.ChannelId] with { RedeemedByPayee = r.CumulativeAmount };
                    break;
                case ChannelClosingEvent c:
                    rebuilt[c.ChannelId] = rebuilt[c.ChannelId] with { CloseDeadline = c.Deadline };
                    break;
                case ChannelSettledEvent s:
                    rebuilt[s.ChannelId] = new ChannelState(false, 0, 0, 0, 0, 0);
                    break;
            }
        }

        rebuilt.Count.ShouldBe(3);
        foreach (var (id, state) in rebuilt)
        {
            (await w.Channels.GetStateAsync(id)).ShouldBe(state);
        }

        rebuilt[b.Id].IsClosing.ShouldBeTrue();
        rebuilt[settled.Id].Exists.ShouldBeFalse();
    }

    /// <summary>The EIP-2612 permit digest for the test stablecoin (OpenZeppelin ERC20Permit: name, version "1").</summary>
    private static byte[] PermitDigest(ChannelWorld w, BigInteger value, BigInteger nonce, BigInteger deadline)
    {
        var domain = Keccak256.Hash(TestAbi.Encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                Keccak256.HashUtf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                Keccak256.HashUtf8("Settlement Test Pound"), Keccak256.HashUtf8("1"), (BigInteger)w.Channels.Domain.ChainId, w.Token.Address,
            ]));
        var structHash = Keccak256.Hash(TestAbi.Encode(
            ["bytes32", "address", "address", "uint256", "uint256", "uint256"],
            [
                Keccak256.HashUtf8("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                w.PayerKey.Address, w.Channels.Address, value, nonce, deadline,
            ]));
        return Keccak256.Hash([0x19, 0x01, .. domain, .. structHash]);
    }
}
