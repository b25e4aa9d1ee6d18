using System.Globalization;
using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Metering;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService;

namespace Settlement.Cli.Demo;

/// <summary>
/// The payer SDK in the demo: the user's devices pay the merchant through <see cref="PayerClient"/> over the merchant's
/// payee service — an IoT meter paying per unit read (with a little unpaid credit) and a streaming player paying per
/// second of video (paying ahead, topping up once when the balance runs low, pausing when the deposit is gone) — each
/// in an ETH channel the device opens itself, closed cooperatively at the end. ETH keeps these channels apart from the
/// stablecoin the bank top-up backs, so the demo's backing and escrow checks are unchanged.
/// </summary>
internal static class DemoPayerSdk
{
    private static readonly BigInteger MeterPrice = 10_000_000_000;        // wei per unit (10 gwei per kWh read)
    private static readonly BigInteger PlayerPrice = 100_000_000_000;      // wei per second of video
    private static readonly BigInteger PlayerDeposit = PlayerPrice * 60;   // one minute; a top-up adds another

    public static async Task<PayerSdkResult> RunAsync(
        EthereumRpcClient rpc, ChannelContract channels, PrivateKey userKey, IContractTransactor user, PrivateKey merchantKey,
        PayeeServiceOptions payeeOptions, string stateDir, Action<string> say, CancellationToken ct)
    {
        await using var payee = await PayeeServiceHost.StartAsync(payeeOptions, merchantKey, cancellationToken: ct).ConfigureAwait(false);
        var merchant = merchantKey.Address;
        var merchantBefore = await rpc.GetBalanceAsync(merchant, null, ct).ConfigureAwait(false);
        await using var store = new SqlitePayerStore(Path.Combine(stateDir, "payer.db"));
        await using var client = new PayerClient(channels, rpc, userKey, store, new PayerClientOptions { Transactor = user });

        // IoT meter: per unit, up to 5 units of unpaid credit, settled up at the end of the session.
        var meterChannel = await client.OpenAsync(new OpenChannelRequest(merchant, Address.Zero, MeterPrice * 1_000) { PayeeStreamUrl = payee.StreamUrl }, ct)
            .ConfigureAwait(false);
        using var meter = new UsageMeter(meterChannel, new MeterOptions { Price = Channels.Payer.Metering.MeterPrice.PerUnit(MeterPrice), MaxUnpaidCredit = MeterPrice * 5 });
        var readings = 0L;
        var payments = 0;
        for (var i = 0; i < 200; i++)
        {
            var outcome = await meter.RecordAsync(1 + (i % 3), ct).ConfigureAwait(false);
            readings++;
            payments += outcome.Payment is not null ? 1 : 0;
        }

        var settled = await meter.SettleUpAsync(ct).ConfigureAwait(false);
        await meterChannel.FlushAsync(ct).ConfigureAwait(false);
        await meterChannel.RequestReceiptAsync(ct).ConfigureAwait(false);
        var meterStored = payee.Engine.GetCredit(meterChannel.Key)?.Paid ?? BigInteger.Zero;
        say(string.Create(CultureInfo.InvariantCulture,
            $"payer SDK, IoT meter: {readings} readings, {meter.Units} units at {MeterPrice} wei each (5 units of credit), {payments + 1} vouchers; due {settled.Due} wei, signed {meterChannel.Signed}, the payee stores {meterStored}, acknowledged {meterChannel.Acknowledged}"));

        // Streaming player: per second on a simulated clock, 10 s paid ahead, a top-up when under 15 s of credit (once),
        // paused when the deposit is gone.
        var clock = new SimulatedClock(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var playerChannel = await client.OpenAsync(new OpenChannelRequest(merchant, Address.Zero, PlayerDeposit) { PayeeStreamUrl = payee.StreamUrl }, ct)
            .ConfigureAwait(false);
        var lowBalanceCalls = 0;
        using var player = new UsageMeter(playerChannel, new MeterOptions
        {
            Price = Channels.Payer.Metering.MeterPrice.PerUnit(PlayerPrice),
            PayAhead = PlayerPrice * 10,
            LowBalanceThreshold = PlayerPrice * 15,
            TimeProvider = clock,
            OnLowBalance = async (low, token) =>
            {
                if (++lowBalanceCalls == 1)
                {
                    var deposit = await playerChannel.TopUpAsync(PlayerDeposit, cancellationToken: token).ConfigureAwait(false);
                    say(string.Create(CultureInfo.InvariantCulture, $"payer SDK, player: low balance ({low.Remaining} wei left), topped up to {deposit} wei"));
                }
            },
        });
        player.Start();
        var played = 0L;
        var paused = false;
        for (var second = 1; second <= 180 && !paused; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var tick = await player.TickAsync(ct).ConfigureAwait(false);
            paused = tick.Status == MeterStatus.Paused;
            played = second;
        }

        await playerChannel.FlushAsync(ct).ConfigureAwait(false);
        await playerChannel.RequestReceiptAsync(ct).ConfigureAwait(false);
        var playerStored = payee.Engine.GetCredit(playerChannel.Key)?.Paid ?? BigInteger.Zero;
        say(string.Create(CultureInfo.InvariantCulture,
            $"payer SDK, streaming player: {PlayerPrice} wei per second, paused after {played} s when the deposit ran out ({player.Paid} wei paid, remaining {playerChannel.Remaining}); the payee stores {playerStored}"));

        // Both close cooperatively: the merchant co-signs the newest state, the device sends it.
        var closedTotal = BigInteger.Zero;
        foreach (var channel in new[] { meterChannel, playerChannel })
        {
            var deadline = await DemoCloseDeadline.NextAsync(rpc, ct).ConfigureAwait(false);
            var state = channel.CloseState(deadline);
            var closed = await channel.CloseAsync(state.Sign(merchantKey, channels.Domain), deadline, cancellationToken: ct).ConfigureAwait(false);
            if (closed.Result != CloseResult.Settled)
            {
                throw new DemoStepException("payer SDK", $"channel {channel.Id} did not close: {closed.Result}");
            }

            closedTotal += closed.PayerToPayee;
        }

        var receipts = 0;
        foreach (var channel in new[] { meterChannel, playerChannel })
        {
            receipts += (await store.ListReceiptsAsync(channel.Key, ct).ConfigureAwait(false)).Count;
        }

        var merchantReceived = await rpc.GetBalanceAsync(merchant, null, ct).ConfigureAwait(false) - merchantBefore;
        say(string.Create(CultureInfo.InvariantCulture,
            $"payer SDK: both channels closed cooperatively; the merchant received {merchantReceived} wei = the two newest vouchers; {receipts} signed receipts kept on the device (l2pay channel receipts)"));
        return new PayerSdkResult(
            meterChannel.Id.ToString(), readings, meter.Units, settled.Due, meterChannel.Signed, meterStored, meterChannel.Acknowledged,
            playerChannel.Id.ToString(), played, paused, lowBalanceCalls, playerChannel.Signed, playerStored, playerChannel.Acknowledged,
            receipts, merchantReceived, closedTotal);
    }
}
