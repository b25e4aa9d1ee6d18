using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.SettlementChannelsContract;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using V = Settlement.Channels.Tests.ContractClient.EthersCallVectors;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// <see cref="ContractMessages"/>, the glue to the generated bindings: topic 0 as ethers computes it, addresses both
/// ways, and the refusal to build a log decoder for an event with a dynamic field (only <c>BatchRedeemed</c> has one,
/// and the client reads it with its own strict decoder).
/// </summary>
public sealed class ContractMessagesTests
{
    [Fact]
    public void Topic0_LowerHexWithoutPrefix_AsEthers()
    {
        var ethers = V.LogJson("channelOpened")["topics"]![0]!.GetValue<string>();

        ContractMessages.Topic0(ABITypedRegistry.GetEvent<ChannelOpenedEventDto>()).ShouldBe(ethers[2..]);
    }

    [Fact]
    public void EventDecoder_EventWithADynamicField_Refused()
    {
        Should.Throw<InvalidOperationException>(() => ContractMessages.EventDecoder<BatchRedeemedEventDto>(ABITypedRegistry.GetEvent<BatchRedeemedEventDto>()))
            .Message.ShouldBe("Event BatchRedeemed has a field that is not one 32-byte word.");
    }

    [Fact]
    public void Addresses_Eip55OutAnyCaseIn()
    {
        var payer = V.Input("payer");

        ContractMessages.Hex(payer).ShouldBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        ContractMessages.Address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").ShouldBe(payer);
        ContractMessages.Hex(Address.Zero).ShouldBe("0x0000000000000000000000000000000000000000");
    }

    [Fact]
    public void Errors_EveryCustomErrorOfTheAbi()
    {
        ChannelContract.Errors.Select(e => e.Name).ShouldBe(V.Errors.Select(e => e.Name), ignoreOrder: true);
    }

    [Fact]
    public void NullArguments_Refused()
    {
        var contract = new ChannelContract(new ScriptedNode().Client(), V.Contract);
        Should.Throw<ArgumentNullException>(() => contract.DecodeEvents(null!)).ParamName.ShouldBe("logs");
        Should.Throw<ArgumentNullException>(() => ChannelContract.TryDecodeEvents(null!, out _)).ParamName.ShouldBe("log");
        Should.Throw<ArgumentNullException>(() => new SignedTransactor(null!, null!)).ParamName.ShouldBe("sender");
        var client = new ScriptedNode().Client();
        Should.Throw<ArgumentNullException>(() => new SignedTransactor(new TransactionSender(client, new NonceManager(client), new TransactionSenderOptions()), null!))
            .ParamName.ShouldBe("key");
    }
}
