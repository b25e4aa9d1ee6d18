using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payee.Storage;

namespace Settlement.Channels.Tests.Payee;

public sealed class PayeeServiceCollectionExtensionsTests : IDisposable
{
    private readonly PayeeWorld _world = new();

    public void Dispose() => _world.Dispose();

    private ServiceCollection Services(bool withClock = true, bool withSigner = false)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IVoucherStore>(_world.Store);
        services.AddSingleton<IChannelViewSource>(_world.Source);
        if (withClock)
        {
            services.AddSingleton<TimeProvider>(_world.Clock);
        }

        if (withSigner)
        {
            services.AddSingleton(new ReceiptSigner(_world.Payee));
        }

        return services;
    }

    [Fact]
    public async Task AddPayeeEngine_TheEngineFromTheOptionsAndTheHostsServices()
    {
        var services = Services(withSigner: true);
        services.AddMetrics();

        services.AddPayeeEngine(o => _world.Options().CopyTo(o));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var engine = provider.GetRequiredService<PayeeEngine>();

        engine.ShouldBeSameAs(provider.GetRequiredService<PayeeEngine>());
        engine.ChainId.ShouldBe(PayeeWorld.ChainId);
        engine.Contract.ShouldBe(PayeeWorld.Contract);
        engine.ReceiptSignerAddress.ShouldBe(_world.Payee.Address);
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(_world.Clock);
        provider.GetRequiredService<PayeeMetrics>().ShouldBeSameAs(provider.GetRequiredService<PayeeMetrics>());
        // The engine's metrics come from the registered meter factory and the engine reads the registered store and source.
        using var listener = new MeterListener();
        var counted = 0L;
        var factory = provider.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PayeeMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "payee.vouchers.accepted")
            {
                Interlocked.Add(ref counted, value);
            }
        });
        listener.Start();
        _world.Source.Set(_world.View());
        await engine.StartAsync();
        (await engine.SubmitAsync(_world.Voucher(100))).ShouldBe(new VoucherAccepted(100, 100));
        (await _world.Store.GetNewestAsync(_world.Key))!.Cumulative.ShouldBe(100);
        Interlocked.Read(ref counted).ShouldBe(1);
        await engine.StopAsync();
    }

    [Fact]
    public async Task AddPayeeEngine_NoClockNoSigner_TheSystemClockAndNoReceipts()
    {
        var services = Services(withClock: false);

        services.AddPayeeEngine(o => _world.Options().CopyTo(o));
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
        provider.GetRequiredService<PayeeEngine>().ReceiptSignerAddress.ShouldBeNull();
    }

    [Fact]
    public async Task AddPayeeEngine_ABadSetting_FailsAtStartNamingIt()
    {
        var services = Services();

        services.AddPayeeEngine(o => _world.Options(x => x.Contract = "nope").CopyTo(o));
        await using var provider = services.BuildServiceProvider();

        var refused = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        refused.Failures.ShouldBe(
            ["DataAnnotation validation failed for 'PayeeOptions' members: 'Contract' with the error: 'Payee:Contract must be a 20-byte hex address; got 'nope'.'."]);
    }

    [Fact]
    public async Task AddPayeeEngine_WithoutConfigure_ReturnsTheBuilderToBindLater()
    {
        var services = Services();

        var builder = services.AddPayeeEngine();
        builder.Configure(o => { o.ChainId = 5; o.Contract = PayeeWorld.OtherContract.ToString(); });
        await using var provider = services.BuildServiceProvider();

        builder.Name.ShouldBe(Options.DefaultName);
        var engine = provider.GetRequiredService<PayeeEngine>();
        engine.ChainId.ShouldBe(5UL);
        engine.Contract.ShouldBe(PayeeWorld.OtherContract);
        provider.GetRequiredService<IOptions<PayeeOptions>>().Value.MaxBatchSize.ShouldBe(1024);
        Should.Throw<ArgumentNullException>(() => ((IServiceCollection)null!).AddPayeeEngine()).ParamName.ShouldBe("services");
    }

    [Fact]
    public async Task AddPayeeEngine_RegisteredTwice_OneEngine()
    {
        var services = Services();
        var clock = new FakeTimeProvider();
        services.AddSingleton<TimeProvider>(clock); // the host's last registration wins over the extension's TryAdd

        services.AddPayeeEngine(o => _world.Options().CopyTo(o));
        services.AddPayeeEngine();
        await using var provider = services.BuildServiceProvider();

        services.Count(d => d.ServiceType == typeof(PayeeEngine)).ShouldBe(1);
        services.Count(d => d.ServiceType == typeof(PayeeMetrics)).ShouldBe(1);
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(clock);
    }
}
