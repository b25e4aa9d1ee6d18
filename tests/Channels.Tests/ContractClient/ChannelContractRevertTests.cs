using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// How <see cref="ChannelContract"/> maps a refused transaction or call: node errors carrying revert data (each custom
/// error ethers encoded) or saying "revert" become <see cref="ChannelContractRevertException"/> with the function's
/// name and the decoded error; other node errors stay <see cref="JsonRpcException"/>s; a gas estimate that reverts in
/// <see cref="SignedTransactor"/> (<see cref="TransactionRevertedException"/>); and a mined-but-failed receipt replayed
/// as <c>eth_call</c> on the block before.
/// </summary>
public sealed class ChannelContractRevertTests
{
    private const string VmMessage = "VM Exception while processing transaction";

    private static readonly ChannelParameters Eth = V.Channel("eth");

    private readonly ScriptedNode _node = new();
    private readonly RecordingTransactor _sender = new(V.Input("funder"));

    private ChannelContract Contract() => new(_node.Client(), V.Contract);

    public static TheoryData<string> ErrorNames() => [.. V.Errors.Select(e => e.Name)];

    public static TheoryData<string> Calls() => [.. V.CallNames];

    [Theory]
    [MemberData(nameof(ErrorNames))]
    public async Task Send_NodeReturnsCustomErrorData_RevertWithTheDecodedErrorAndArguments(string name)
    {
        var (_, args, data) = V.Errors.Single(e => e.Name == name);
        var nodeError = await ScriptedNode.ServerError(3, VmMessage, JsonValue.Create(Hex.Encode(data)));
        _sender.Failure = nodeError;

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().SettleAsync(_sender, Eth));

        ex.Function.ShouldBe("settle");
        ex.ErrorName.ShouldBe(name);
        ex.Reason.ShouldNotBeNull().Kind.ShouldBe(RevertReasonKind.Custom);
        ex.Reason.Arguments.Select(Text).ShouldBe(args.Select(a => Address.TryParse(a, out var address) ? address.ToString() : a));
        ex.Message.ShouldBe($"settle reverted: {name}({string.Join(", ", args.Select(Formatted))})");
        ex.InnerException.ShouldBeSameAs(nodeError);
        _sender.Sent.Count.ShouldBe(1);
        _node.Requests.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Send_EachFunctionReverts_TheFunctionsNameInTheException(string call)
    {
        var (_, _, data) = V.Errors.Single(e => e.Name == "InvalidSigner");
        _sender.Failure = await ScriptedNode.ServerError(3, VmMessage, JsonValue.Create(Hex.Encode(data)));

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => ChannelContractCalldataTests.Invoke(Contract(), _sender, call));

        ex.Function.ShouldBe(V.Call(call).Function);
        ex.ErrorName.ShouldBe("InvalidSigner");
        ex.Message.ShouldBe($"{V.Call(call).Function} reverted: InvalidSigner()");
    }

    [Theory]
    [InlineData("nonce too low")]
    [InlineData("insufficient funds for gas * price + value")]
    [InlineData("invalid chain id")]
    public async Task Send_NodeErrorNeitherDataNorRevert_StaysTheNodesError(string message)
    {
        var nodeError = await ScriptedNode.ServerError(-32000, message);
        _sender.Failure = nodeError;

        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Contract().TopUpAsync(_sender, Eth, 1));

        ex.ShouldBeSameAs(nodeError);
        _node.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_EmptyRevertDataWithoutRevertInTheMessage_StaysTheNodesError()
    {
        var nodeError = await ScriptedNode.ServerError(-32000, "out of gas", JsonValue.Create("0x"));
        _sender.Failure = nodeError;

        (await Should.ThrowAsync<JsonRpcServerException>(() => Contract().TopUpAsync(_sender, Eth, 1))).ShouldBeSameAs(nodeError);
    }

    [Theory]
    [InlineData("execution reverted")]
    [InlineData("Execution REVERTED")]
    [InlineData("VM Exception while processing transaction: Revert")]
    public async Task Send_MessageSaysRevertWithoutData_RevertWithNoReason(string message)
    {
        var nodeError = await ScriptedNode.ServerError(3, message);
        _sender.Failure = nodeError;

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().TopUpAsync(_sender, Eth, 1));

        ex.Function.ShouldBe("topUp");
        ex.Reason.ShouldBeNull();
        ex.ErrorName.ShouldBe("unknown");
        ex.Message.ShouldBe("topUp reverted: no reason given");
        ex.InnerException.ShouldBeSameAs(nodeError);
    }

    [Fact]
    public async Task Send_RevertDataOfNoKnownError_RevertWithNoReason()
    {
        var nodeError = await ScriptedNode.ServerError(3, VmMessage, JsonValue.Create("0xdeadbeef"));
        _sender.Failure = nodeError;

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().StartCloseAsync(_sender, Eth));

        ex.Function.ShouldBe("startClose");
        ex.Reason.ShouldBeNull();
        ex.InnerException.ShouldBeSameAs(nodeError);
    }

    [Fact]
    public async Task Send_GasEstimateRevertsInSignedTransactor_RevertWithTheDecodedErrorNothingBroadcast()
    {
        var (_, _, data) = V.Errors.Single(e => e.Name == "VoucherNotNewer");
        _node.Answer("eth_getTransactionCount", "0x0").Error("eth_estimateGas", 3, "execution reverted", Hex.Encode(data));
        using var key = PrivateKey.ParseHex(PayerKey);
        var sender = new SignedTransactor(new TransactionSender(_node.Client(), new NonceManager(_node.Client()), new TransactionSenderOptions()), key);

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => ChannelContractCalldataTests.Invoke(Contract(), sender, "redeem"));

        ex.Function.ShouldBe("redeem");
        ex.ErrorName.ShouldBe("VoucherNotNewer");
        ex.InnerException.ShouldBeOfType<TransactionRevertedException>().Receipt.ShouldBeNull();
        var estimate = _node.ParamsOf("eth_estimateGas").ShouldHaveSingleItem()![0]!;
        estimate["from"]!.GetValue<string>().ShouldBe(key.Address.ToLowerHex());
        estimate["to"]!.GetValue<string>().ShouldBe(V.Contract.ToLowerHex());
        estimate["data"]!.GetValue<string>().ShouldBe(Hex.Encode(V.Call("redeem").Data));
        _node.ParamsOf("eth_sendRawTransaction").ShouldBeEmpty();
        sender.Sender.ShouldBe(key.Address);
        sender.ToString().ShouldBe($"SignedTransactor({key.Address})");
    }

    [Fact]
    public async Task Send_GasEstimateRevertsWithoutData_RevertWithNoReason()
    {
        _node.Answer("eth_getTransactionCount", "0x0").Error("eth_estimateGas", 3, "execution reverted");
        using var key = PrivateKey.ParseHex(PayerKey);
        var sender = new SignedTransactor(new TransactionSender(_node.Client(), new NonceManager(_node.Client()), new TransactionSenderOptions()), key);

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().SettleAsync(sender, Eth));

        ex.Function.ShouldBe("settle");
        ex.Reason.ShouldBeNull();
        ex.InnerException.ShouldBeOfType<TransactionRevertedException>();
        _node.ParamsOf("eth_sendRawTransaction").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("topUp eth")]
    [InlineData("settle")]
    public async Task Send_MinedButFailed_ReplayedOnTheBlockBeforeAndItsRevertMapped(string call)
    {
        var (_, _, data) = V.Errors.Single(e => e.Name == "ChallengePeriodOver");
        _node.Error("eth_call", 3, "execution reverted", Hex.Encode(data));
        _sender.Succeeds = false;
        _sender.BlockNumber = 0x1234;

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => ChannelContractCalldataTests.Invoke(Contract(), _sender, call));

        var (function, callData, value) = V.Call(call);
        ex.Function.ShouldBe(function);
        ex.ErrorName.ShouldBe("ChallengePeriodOver");
        ex.InnerException.ShouldBeOfType<JsonRpcServerException>();
        var replay = _node.ParamsOf("eth_call").ShouldHaveSingleItem()!.AsArray();
        replay.Count.ShouldBe(2);
        replay[0]!["from"]!.GetValue<string>().ShouldBe(_sender.Sender.ToLowerHex());
        replay[0]!["to"]!.GetValue<string>().ShouldBe(V.Contract.ToLowerHex());
        replay[0]!["data"]!.GetValue<string>().ShouldBe(Hex.Encode(callData));
        replay[0]!["value"]!.GetValue<string>().ShouldBe(Quantity.Format(value));
        replay[1]!.GetValue<string>().ShouldBe("0x1233");
        _sender.Sent.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Send_MinedButFailedReplaySucceeds_RevertWithNoReason()
    {
        _node.Answer("eth_call", "0x");
        _sender.Succeeds = false;

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().WithdrawOwedAsync(_sender, V.Input("token"), V.Input("to")));

        ex.Function.ShouldBe("withdrawOwed");
        ex.Reason.ShouldBeNull();
        ex.InnerException.ShouldBeNull();
        ex.Message.ShouldBe("withdrawOwed reverted: no reason given");
        _node.ParamsOf("eth_call").Count.ShouldBe(1);
    }

    [Fact]
    public async Task Send_MinedButFailedReplayNodeFault_TheNodesError()
    {
        _node.Error("eth_call", -32000, "header not found");
        _sender.Succeeds = false;

        var ex = await Should.ThrowAsync<JsonRpcServerException>(() => Contract().SettleAsync(_sender, Eth));

        ex.NodeMessage.ShouldBe("header not found");
    }

    [Fact]
    public async Task Call_ReadReverts_RevertWithTheReadsName()
    {
        var (_, _, data) = V.Errors.Single(e => e.Name == "ChannelNotFound");
        _node.Error("eth_call", 3, VmMessage, Hex.Encode(data));

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().GetStateAsync(Eth.Id));

        ex.Function.ShouldBe("channelState");
        ex.ErrorName.ShouldBe("ChannelNotFound");
        ex.InnerException.ShouldBeOfType<JsonRpcServerException>();
    }

    [Fact]
    public async Task Call_ReadRevertsWithoutData_RevertWithNoReason()
    {
        _node.Error("eth_call", 3, "execution reverted");

        var ex = await Should.ThrowAsync<ChannelContractRevertException>(() => Contract().GetOwedAsync(V.Input("token"), V.Input("funder")));

        ex.Function.ShouldBe("owed");
        ex.Reason.ShouldBeNull();
    }

    [Fact]
    public async Task Call_ReadNodeFault_TheNodesError()
    {
        _node.Error("eth_call", -32602, "invalid params");

        (await Should.ThrowAsync<JsonRpcServerException>(() => Contract().GetDomainSeparatorAsync())).ErrorCode.ShouldBe(-32602);
    }

    [Fact]
    public void RevertException_Constructors_FunctionAndMessage()
    {
        var plain = new ChannelContractRevertException();
        plain.Function.ShouldBe("call");
        plain.ErrorName.ShouldBe("unknown");
        plain.Message.ShouldBe("call reverted: no reason given");
        new ChannelContractRevertException("m").Function.ShouldBe("call");
        new ChannelContractRevertException("m").Message.ShouldBe("m");
        var inner = new InvalidOperationException();
        var wrapped = new ChannelContractRevertException("m", inner);
        wrapped.Function.ShouldBe("call");
        wrapped.InnerException.ShouldBeSameAs(inner);
        wrapped.Reason.ShouldBeNull();
    }

    // Hardhat's first development account; a public test key.
    private const string PayerKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private static string Text(object? value) => value switch
    {
        byte[] bytes => Hex.Encode(bytes),
        Address address => address.ToString(),
        BigInteger n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    private static string Formatted(string arg) =>
        arg.StartsWith("0x", StringComparison.Ordinal) || arg.All(char.IsAsciiDigit) ? (Address.TryParse(arg, out var a) ? a.ToString() : arg) : $"\"{arg}\"";
}
