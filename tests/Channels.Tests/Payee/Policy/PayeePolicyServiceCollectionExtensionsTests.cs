using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Tests.Payee.Chain;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payee.Policy;

public sealed class PayeePolicyServiceCollectionExtensionsTests : IDisposable
{
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address PayeeAddress = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private readonly FakePayeeChainNode _chain = new() { Head = 20 };
    private readonly ScriptedPayeeNode _payee = new(PayeeAddress);
    private readonly InMemoryVoucherStore _store = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _payee.Dispose();
        _chain.Dispose();
    }

    private ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<IVoucherStore>(_store);
        services.AddSingleton(new ChainChannelViewSource(_chain.Contract, _chain.Rpc, FakePayeeChainNode.ChainId, 0));
        services.AddSingleton(_chain.Contract);
        services.AddSingleton(_chain.Rpc);
        services.AddSingleton<TimeProvider>(_clock);
        return services;
    }

    [Fact]
    public async Task AddPayeePolicy_RunnerReaderExecutorAndMetricsFromTheHostsServices()
    {
        var services = Services();
        IServiceProvider? seen = null;

        services.AddPayeePolicy(sp => { seen = sp; return _payee; }, o => o.BatchGasBudget = 60_000);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var runner = provider.GetRequiredService<PayeePolicyRunner>();
        runner.ShouldBeSameAs(provider.GetRequiredService<PayeePolicyRunner>());
        var executor = provider.GetRequiredService<PolicyActionExecutor>();
        executor.Payee.ShouldBe(PayeeAddress);
        seen.ShouldNotBeNull();
        provider.GetRequiredService<PolicySnapshotReader>().ShouldBeSameAs(provider.GetRequiredService<PolicySnapshotReader>());
        provider.GetRequiredService<IOptions<PayeePolicyOptions>>().Value.BatchGasBudget.ShouldBe(60_000);

        // The executor keeps close requests in the registered store, stamped by the registered clock, and counts on the
        // registered meter factory's meter.
        var factory = provider.GetRequiredService<IMeterFactory>();
        var counted = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PayeePolicyMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "payee.policy.actions")
            {
                Interlocked.Add(ref counted, value);
            }
        });
        listener.Start();
        var parameters = new ChannelParameters(Payer, PayeeAddress, Address.Zero, 3600, 1);
        var key = new ChannelKey(FakePayeeChainNode.ChainId, FakePayeeChainNode.ContractAddress, parameters.Id);
        var channel = new PolicyChannel(new PayeeChannelView(key, parameters, 10, 0, 0, 0, 0, false), null);
        await executor.ExecuteAsync([new RequestCloseAction(channel)]);
        (await _store.ListCloseRequestsAsync()).ShouldBe([new CloseRequest(key, _clock.GetUtcNow())]);
        Interlocked.Read(ref counted).ShouldBe(1);

        // The runner reads through the registered chain services (the head block's time) and plans with the options.
        var run = await runner.RunOnceAsync();
        run.Snapshot.ChainTime.ShouldBe(FakePayeeChainNode.TimestampOf(20));
        run.Snapshot.Now.ShouldBe(_clock.GetUtcNow());
    }

    [Fact]
    public void AddPayeePolicy_NullArguments_ThrowNamingThem()
    {
        Should.Throw<ArgumentNullException>(() => Services().AddPayeePolicy(null!)).ParamName.ShouldBe("payee");
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPayeePolicy(_ => _payee)).ParamName.ShouldBe("services");
    }

    [Fact]
    public async Task AddPayeePolicy_ABadSetting_FailsAtStartNamingIt()
    {
        var services = Services();

        services.AddPayeePolicy(_ => _payee, o => o.Interval = TimeSpan.Zero);
        await using var provider = services.BuildServiceProvider();

        var refused = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        refused.Failures.ShouldBe(
            ["DataAnnotation validation failed for 'PayeePolicyOptions' members: 'Interval' with the error: 'Payee:Policy:Interval must be positive; got '00:00:00'.'."]);
    }

    [Fact]
    public async Task AddPayeePolicy_WithoutConfigure_DefaultsAndTheSystemClock()
    {
        var services = new ServiceCollection();

        var builder = services.AddPayeePolicy(_ => _payee);
        await using var provider = services.BuildServiceProvider();

        builder.Name.ShouldBe(Options.DefaultName);
        provider.GetRequiredService<IOptions<PayeePolicyOptions>>().Value.Interval.ShouldBe(TimeSpan.FromMinutes(1));
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
        provider.GetRequiredService<PayeePolicyMetrics>().ShouldBeSameAs(provider.GetRequiredService<PayeePolicyMetrics>());
    }

    [Fact]
    public void AddPayeePolicy_Nulls_Refused()
    {
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPayeePolicy(_ => _payee)).ParamName.ShouldBe("services");
        Should.Throw<ArgumentNullException>(() => new ServiceCollection().AddPayeePolicy(null!)).ParamName.ShouldBe("payee");
    }
}
