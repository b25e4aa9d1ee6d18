using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Tests.Payee;

/// <summary>One deployment, a payer, a payee and helpers to build views and signed submissions.</summary>
internal sealed class PayeeWorld : IDisposable
{
    public const ulong ChainId = 31337;
    public static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    public static readonly Address OtherContract = Address.Parse("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
    public static readonly BigInteger Deposit = 1_000_000;

    public PayeeWorld()
    {
        Payer = PrivateKey.Create(Enumerable.Repeat((byte)0x11, 32).ToArray());
        Payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());
        Stranger = PrivateKey.Create(Enumerable.Repeat((byte)0x33, 32).ToArray());
        TypedData = ChannelTypedData.ForContract(ChainId, Contract);
        Parameters = new ChannelParameters(Payer.Address, Payee.Address, Address.Zero, 3600, 1);
        Key = new ChannelKey(ChainId, Contract, Parameters.Id);
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    }

    public PrivateKey Payer { get; }

    public PrivateKey Payee { get; }

    public PrivateKey Stranger { get; }

    public ChannelTypedData TypedData { get; }

    public ChannelParameters Parameters { get; }

    public ChannelKey Key { get; }

    public FakeTimeProvider Clock { get; }

    public InMemoryVoucherStore Store { get; } = new();

    public StaticChannelViewSource Source { get; } = new();

    public PayeeChannelView View(
        BigInteger? deposit = null, BigInteger? redeemed = null, ulong closeDeadline = 0, bool settled = false, ChannelKey? key = null) =>
        new(key ?? Key, Parameters, deposit ?? Deposit, redeemed ?? 0, 500_000, 0, closeDeadline, settled);

    public VoucherSubmission Voucher(BigInteger amount, PrivateKey? signer = null, ChannelKey? key = null, ChannelTypedData? domain = null)
    {
        var k = key ?? Key;
        var signature = (domain ?? TypedData).SignVoucher(signer ?? Payer, k.ChannelId.Bytes, amount);
        return new VoucherSubmission(k, amount, signature.ToRsv());
    }

    public PayeeOptions Options(Action<PayeeOptions>? configure = null)
    {
        var options = new PayeeOptions { ChainId = ChainId, Contract = Contract.ToString(), MaxBatchSize = 256 };
        configure?.Invoke(options);
        return options;
    }

    public async Task<PayeeEngine> StartEngineAsync(Action<PayeeOptions>? configure = null, bool withView = true, bool receipts = true)
    {
        if (withView)
        {
            Source.Set(View());
        }

        var engine = new PayeeEngine(
            Microsoft.Extensions.Options.Options.Create(Options(configure)),
            Store,
            Source,
            Clock,
            receipts: receipts ? new ReceiptSigner(Payee) : null);
        await engine.StartAsync();
        return engine;
    }

    public void Dispose()
    {
        Payer.Dispose();
        Payee.Dispose();
        Stranger.Dispose();
    }
}
