using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Generated;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// Every sending method of <see cref="ChannelContract"/> against a recording transactor: exactly one transaction, to the
/// contract, with the call data ethers 6 encodes for the same inputs (<see cref="EthersCallVectors"/>) and the ETH
/// value the function takes (the amount for an ETH channel's open and top-ups, zero otherwise). Null arguments are
/// refused before anything is sent.
/// </summary>
public sealed class ChannelContractCalldataTests
{
    private static readonly ChannelParameters Eth = V.Channel("eth");
    private static readonly ChannelParameters Erc20 = V.Channel("erc20");

    private readonly ScriptedNode _node = new();
    private readonly RecordingTransactor _sender = new(V.Input("funder"));

    private ChannelContract Contract() => new(_node.Client(), V.Contract);

    private static SignedVoucher Voucher(ChannelParameters channel, string amount, string signature) =>
        new(new Voucher(channel.Id, V.Amount(amount)), V.Signature(signature));

    public static TheoryData<string> Calls() => [.. V.CallNames];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Send_EachFunction_OneTransactionToTheContractWithEthersCallDataAndValue(string name)
    {
        _sender.Logs = [V.Log("channelOpened")];
        await Invoke(Contract(), _sender, name);

        var (_, data, value) = V.Call(name);
        var sent = _sender.Sent.ShouldHaveSingleItem();
        sent.To.ShouldBe(V.Contract);
        Hex.Encode(sent.Data).ShouldBe(Hex.Encode(data));
        sent.Value.ShouldBe(value);
        _node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void ChannelId_EachChannel_EqualsEthersKeccakOfAbiEncode()
    {
        foreach (var name in new[] { "eth", "erc20", "batch1", "batch2" })
        {
            V.Channel(name).Id.ToString().ShouldBe(V.ChannelIdHex(name), name);
        }
    }

    [Fact]
    public async Task OpenAsync_ReceiptWithTheOpenedLog_TheDecodedEvent()
    {
        var other = V.Log("channelOpened") with { Address = V.Input("token") };
        _sender.Logs = [other, V.Log("channelClosing", logIndex: 1), V.Log("channelOpened", logIndex: 2)];

        var opened = await Contract().OpenAsync(_sender, Erc20.Payer, Erc20.Payee, Erc20.Token, Erc20.ChallengePeriodSeconds, V.Amount("open"));

        (opened with { BlockHash = null, TransactionHash = null })
            .ShouldBe(new ChannelOpenedEvent(Erc20.Id, Erc20, V.Input("funder"), V.Amount("open")) { BlockNumber = 9, LogIndex = 2 });
        opened.BlockHash.ShouldBe(Enumerable.Repeat((byte)9, 32));
        opened.TransactionHash.ShouldBe(Enumerable.Repeat((byte)0x77, 32));
    }

    [Fact]
    public async Task OpenAsync_ReceiptWithoutTheOpenedLog_Throws()
    {
        _sender.Logs = [V.Log("channelOpened") with { Address = V.Input("token") }];

        await Should.ThrowAsync<InvalidOperationException>(() => Contract().OpenAsync(_sender, Erc20.Payer, Erc20.Payee, Erc20.Token, 86_400, 1));
        await Should.ThrowAsync<InvalidOperationException>(() => Contract().OpenWithPermitAsync(_sender, Erc20.Payer, Erc20.Payee, Erc20.Token, 86_400, 1, 2, V.Signature("a")));
    }

    [Fact]
    public async Task DeployAsync_CreationWithTheArtifactsBytecodeNoValue_BoundToTheCreatedAddress()
    {
        var created = Address.Parse("0x00000000000000000000000000000000000000c5");
        _sender.CreatedContract = created;

        var contract = await ChannelContract.DeployAsync(_node.Client(), _sender);

        contract.Address.ShouldBe(created);
        contract.Domain.ChainId.ShouldBe(31337UL);
        contract.Domain.VerifyingContract.ShouldBe(created);
        var sent = _sender.Sent.ShouldHaveSingleItem();
        sent.To.ShouldBeNull();
        sent.Data.ShouldBe(ContractArtifact.SettlementChannels.Bytecode.ToArray());
        sent.Value.ShouldBe(BigInteger.Zero);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task DeployAsync_FailedOrNoContractAddress_ConstructorRevert(bool succeeds, bool hasAddress)
    {
        _sender.Succeeds = succeeds;
        _sender.CreatedContract = hasAddress ? Address.Parse("0x00000000000000000000000000000000000000c5") : null;

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => ChannelContract.DeployAsync(_node.Client(), _sender));

        ex.Function.ShouldBe("constructor");
        ex.Reason.ShouldBeNull();
        ex.InnerException.ShouldBeNull();
        ex.Message.ShouldBe("constructor reverted: no reason given");
    }

    [Fact]
    public async Task Send_NullArguments_RefusedNothingSent()
    {
        var contract = Contract();
        var voucher = Voucher(Eth, "voucher", "a");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.TopUpAsync(_sender, null!, 1))).ParamName.ShouldBe("channel");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.TopUpPayeeAsync(_sender, null!, 1))).ParamName.ShouldBe("channel");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.RedeemAsync(_sender, Eth, null!))).ParamName.ShouldBe("voucher");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.RedeemAsync(_sender, null!, voucher))).ParamName.ShouldBe("channel");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.StartCloseWithVoucherAsync(_sender, Eth, null!))).ParamName.ShouldBe("voucher");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.StartCloseAsync(_sender, null!))).ParamName.ShouldBe("channel");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.SettleAsync(_sender, null!))).ParamName.ShouldBe("channel");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.CooperativeCloseAsync(_sender, Eth, null!, null, null))).ParamName.ShouldBe("state");
        (await Should.ThrowAsync<ArgumentNullException>(() => contract.SettleAsync(null!, Eth))).ParamName.ShouldBe("sender");
        (await Should.ThrowAsync<ArgumentNullException>(() => ChannelContract.DeployAsync(null!, _sender))).ParamName.ShouldBe("rpc");
        (await Should.ThrowAsync<ArgumentNullException>(() => ChannelContract.DeployAsync(_node.Client(), null!))).ParamName.ShouldBe("deployer");
        Should.Throw<ArgumentNullException>(() => new ChannelContract(null!, V.Contract)).ParamName.ShouldBe("rpc");
        _sender.Sent.ShouldBeEmpty();
        _node.Requests.ShouldBeEmpty();
    }

    /// <summary>Calls the client method that the call vector <paramref name="name"/> encodes, with the vector's inputs.</summary>
    internal static Task Invoke(ChannelContract contract, IContractTransactor sender, string name)
    {
        var payer = V.Input("payer");
        var payee = V.Input("payee");
        var token = V.Input("token");
        return name switch
        {
            "open eth" => contract.OpenAsync(sender, payer, payee, Address.Zero, Eth.ChallengePeriodSeconds, V.Amount("open")),
            "open erc20" => contract.OpenAsync(sender, payer, payee, token, Erc20.ChallengePeriodSeconds, V.Amount("open")),
            "openWithPermit" => contract.OpenWithPermitAsync(sender, payer, payee, token, Erc20.ChallengePeriodSeconds, V.Amount("open"), V.Amount("permitDeadline"), V.Signature("b")),
            "topUp eth" => contract.TopUpAsync(sender, Eth, V.Amount("topUp")),
            "topUp erc20" => contract.TopUpAsync(sender, Erc20, V.Amount("topUp")),
            "topUpPayee eth" => contract.TopUpPayeeAsync(sender, Eth, V.Amount("topUp")),
            "topUpPayee erc20" => contract.TopUpPayeeAsync(sender, Erc20, V.Amount("topUp")),
            "redeem" => contract.RedeemAsync(sender, Erc20, Voucher(Erc20, "voucher", "a")),
            "redeem eth v28" => contract.RedeemAsync(sender, Eth, Voucher(Eth, "voucher", "b")),
            "redeemBatch" => contract.RedeemBatchAsync(sender, token, BatchEncodingTests.TwoItems()),
            "startClose" => contract.StartCloseAsync(sender, Erc20),
            "startCloseWithVoucher" => contract.StartCloseWithVoucherAsync(sender, Eth, Voucher(Eth, "voucher", "b")),
            "settle" => contract.SettleAsync(sender, Eth),
            "cooperativeClose both" => contract.CooperativeCloseAsync(sender, Erc20, CloseState(Erc20), V.Signature("a"), V.Signature("b")),
            "cooperativeClose payer only" => contract.CooperativeCloseAsync(sender, Eth, CloseState(Eth), V.Signature("a"), null),
            "withdrawOwed" => contract.WithdrawOwedAsync(sender, token, V.Input("to")),
            _ => throw new ArgumentException($"No client call for vector {name}.", nameof(name)),
        };
    }

    private static CooperativeCloseState CloseState(ChannelParameters channel) =>
        new(channel.Id, V.Amount("payerToPayee"), V.Amount("payeeToPayer"), (ulong)V.Amount("closeDeadline"));
}
