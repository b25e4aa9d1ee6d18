using System.ComponentModel.DataAnnotations;
using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Transport;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Watchtower;

/// <summary>
/// The watchtower's settings (validation, copy), its DI registration and the checkpoint mark's equality: the parts the
/// host builds before the first poll.
/// </summary>
public sealed class WatchtowerSetupTests
{
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    private static List<ValidationResult> Validate(WatchtowerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Options_Valid_NoErrors()
    {
        Validate(new WatchtowerOptions { ChainId = 31337, Contract = Contract }).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("0x0000000000000000000000000000000000000000")]
    [InlineData("0x5FbDB2315678afecb367f032d93F642f64180aa")]
    [InlineData("not an address")]
    public void Options_ContractZeroOrNotAnAddress_NamedError(string contract)
    {
        var error = Validate(new WatchtowerOptions { ChainId = 31337, Contract = contract }).ShouldHaveSingleItem();

        error.ErrorMessage.ShouldBe("Watchtower:Contract must be a non-zero address (0x + 40 hex digits).");
        error.MemberNames.ShouldBe([nameof(WatchtowerOptions.Contract)]);
    }

    [Fact]
    public void Options_Defaults_ContractRequired()
    {
        var errors = Validate(new WatchtowerOptions { ChainId = 31337 });

        errors.ShouldHaveSingleItem().MemberNames.ShouldBe([nameof(WatchtowerOptions.Contract)]);
        new WatchtowerOptions().Contract.ShouldBe("");
    }

    [Fact]
    public void Options_CopyTo_CopiesEverySetting()
    {
        var source = new WatchtowerOptions
        {
            ChainId = 5, Contract = Contract, Confirmations = 3, PollInterval = TimeSpan.FromSeconds(7), MaxBlockRange = 11,
            RecentBlocks = 13, SafetyMargin = TimeSpan.FromMinutes(17), SettleAfterDeadline = true, StartBlock = 19,
        };
        var target = new WatchtowerOptions();

        source.CopyTo(target);

        target.ShouldBeEquivalentTo(source);
        Should.Throw<ArgumentNullException>(() => source.CopyTo(null!)).ParamName.ShouldBe("target");
    }

    [Fact]
    public async Task AddWatchtower_ResolvesOneMetricsSharedByIntakeAndFollower_OptionsAsConfigured()
    {
        var store = new InMemoryWatchtowerStore();
        var chain = new FakeWatchtowerChain(store);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IWatchtowerStore>(store);
        services.AddSingleton<IWatchtowerChain>(chain);
        services.AddSingleton<TimeProvider>(time);
        services.AddWatchtower(o =>
        {
            o.ChainId = 31337;
            o.Contract = Contract;
            o.StartBlock = 0;
            o.Confirmations = 0;
        });
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IOptions<WatchtowerOptions>>().Value.StartBlock.ShouldBe(0UL);
        var metrics = provider.GetRequiredService<WatchtowerMetrics>();
        var intake = provider.GetRequiredService<DelegationIntake>();
        var follower = provider.GetRequiredService<WatchtowerFollower>();
        provider.GetRequiredService<DelegationIntake>().ShouldBeSameAs(intake);

        chain.MineTo(4);
        (await follower.PollOnceAsync()).BlocksScanned.ShouldBe(5UL); // StartBlock 0, no confirmations: as configured
        await intake.SubmitAsync(new DelegationRequest(1, chain.Contract, Channel(), Channel().Id, 5, new byte[65]));
        metrics.Snapshot()["blocksScanned"].ShouldBe(5);
        metrics.Snapshot()["delegationsRefused"].ShouldBe(1);
    }

    [Fact]
    public async Task AddWatchtower_NoClockRegistered_TheSystemClock()
    {
        var store = new InMemoryWatchtowerStore();
        var services = new ServiceCollection();
        services.AddSingleton<IWatchtowerStore>(store);
        services.AddSingleton<IWatchtowerChain>(new FakeWatchtowerChain(store));
        services.AddWatchtower(o =>
        {
            o.ChainId = 31337;
            o.Contract = Contract;
        });
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
        provider.GetRequiredService<WatchtowerFollower>().ShouldNotBeNull();
        provider.GetRequiredService<DelegationIntake>().ShouldNotBeNull();
    }

    [Fact]
    public async Task AddWatchtower_BadOptions_FailAtStart_NamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddWatchtower(o => o.ChainId = 31337);
        await using var provider = services.BuildServiceProvider();

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WatchtowerOptions>>().Value);
        error.Message.ShouldContain(nameof(WatchtowerOptions.Contract));
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddWatchtower()).ParamName.ShouldBe("services");
    }

    [Fact]
    public void AddWatchtower_WithoutConfigure_RegistersValidationOnly()
    {
        var services = new ServiceCollection();

        services.AddWatchtower();

        services.ShouldContain(d => d.ServiceType == typeof(WatchtowerFollower));
        services.ShouldNotContain(d => d.ServiceType == typeof(IConfigureOptions<WatchtowerOptions>));
    }

    [Fact]
    public void BlockMark_EqualOnlyWithTheSameNumberAndHash()
    {
        var hash = FakeWatchtowerChain.HashOf(7, 0);
        var mark = new BlockMark(7, hash);

        mark.Equals(new BlockMark(7, (byte[])hash.Clone())).ShouldBeTrue();
        mark.GetHashCode().ShouldBe(new BlockMark(7, (byte[])hash.Clone()).GetHashCode());
        mark.Equals(new BlockMark(8, hash)).ShouldBeFalse();
        mark.Equals(new BlockMark(7, FakeWatchtowerChain.HashOf(7, 1))).ShouldBeFalse();
        mark.Equals(null).ShouldBeFalse();
        new BlockMark(0, ReadOnlyMemory<byte>.Empty).GetHashCode().ShouldBe(new BlockMark(0, Array.Empty<byte>()).GetHashCode());
        mark.ToString().ShouldBe("#7 0x0700000000000000000000000000000000000000000000000000000000000001");
    }

    [Fact]
    public void DelegationJson_Encode_NullArguments_Throw()
    {
        var channel = Channel();
        Should.Throw<ArgumentNullException>(() => DelegationJson.Encode(1, Address.Zero, null!, new VoucherFrame(channel.Id, BigInteger.One, new byte[65])))
            .ParamName.ShouldBe("channel");
        Should.Throw<ArgumentNullException>(() => DelegationJson.Encode(1, Address.Zero, channel, null!)).ParamName.ShouldBe("voucher");
    }

    private static ChannelParameters Channel() =>
        new(Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"), Address.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906"), Address.Zero, 3600, 1);
}
