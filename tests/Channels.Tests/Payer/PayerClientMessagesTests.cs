using Settlement.Channels.Contracts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Metering;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// The refusals of <see cref="PayerClient"/> and <see cref="UsageMeter.OpenAsync"/> say exactly what is wrong (these
/// texts reach an operator's log or a CLI's error line), and nothing is sent or stored.
/// </summary>
public sealed class PayerClientMessagesTests
{
    [Fact]
    public async Task Open_NonPositiveDeposit_RefusedNamingTheRequest()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();

        var thrown = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 0)));

        thrown.ParamName.ShouldBe("request");
        thrown.Message.ShouldBe("A channel needs a positive deposit. (Parameter 'request')");
        w.Chain!.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task Adopt_AnotherPayersChannel_MessageNamesBothPayers()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var theirs = new ChannelParameters(w.StrangerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 4);

        var thrown = await Should.ThrowAsync<ArgumentException>(() => client.AdoptAsync(theirs));

        thrown.Message.ShouldBe($"Channel {theirs.Id} pays from {w.StrangerKey.Address}, not from this payer {w.PayerKey.Address}. (Parameter 'parameters')");
    }

    [Fact]
    public async Task Adopt_NotOnChain_MessageNamesChannelContractAndChain()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var funded = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 8);

        var thrown = await Should.ThrowAsync<InvalidOperationException>(() => client.AdoptAsync(funded));

        thrown.Message.ShouldBe($"Channel {funded.Id} does not exist in {PayerWorld.ContractAddress} on chain 31337.");
    }

    [Fact]
    public async Task FindOrOpen_AnotherChain_MessageNamesBothChainsAndContracts()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var other = Address.Parse("0x00000000000000000000000000000000000000cc");

        var thrown = await Should.ThrowAsync<ArgumentException>(() => client.FindOrOpenAsync(1, other, new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 500), 1));

        thrown.Message.ShouldBe($"This payer client serves chain 31337 contract {PayerWorld.ContractAddress}, not chain 1 contract {other}.");
        w.Chain!.Sent.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Meter_NoName_RefusedAndNothingStored(string? name)
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        var thrown = await Should.ThrowAsync<ArgumentException>(() => UsageMeter.OpenAsync(channel, new MeterOptions { Price = MeterPrice.PerUnit(10), Name = name! }));

        thrown.ParamName.ShouldBe("options");
        (await w.Store.GetMeterAsync(w.Key, "meter")).ShouldBeNull();
    }
}
