using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.DevChain;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService;

namespace Settlement.Benchmarks.Payee;

/// <summary>
/// Figures 2 and 4: the payee service as deployed (<see cref="PayeeServiceHost"/>, SQLite store, channel views read
/// from a chain node at one confirmation) on a local Anvil with <see cref="Payers"/> ETH channels opened on chain, each
/// payer streaming over its own <see cref="PayeeStreamClient"/> on loopback. Clients, service and Anvil share the
/// machine's cores, so the throughput is the whole loopback system's.
/// </summary>
internal sealed class ServiceBench : IAsyncDisposable
{
    public const int Payers = 100;
    public const int VouchersPerPayerPerRun = 300;
    public const int PacedRate = 1_000;
    public static readonly TimeSpan PacedDuration = TimeSpan.FromSeconds(3);

    private static readonly BigInteger Deposit = BigInteger.Pow(10, 18);
    private readonly HttpClient _http = new();
    private readonly List<PrivateKey> _keys = [];
    private readonly List<PayeeStreamClient> _clients = [];
    private AnvilProcess _anvil = null!;
    private EthereumRpcClient _rpc = null!;
    private ChannelContract _contract = null!;
    private SignedTransactor _funder = null!;
    private PrivateKey _payee = null!;
    private PayeeServiceHost _service = null!;
    private string _directory = null!;
    private ChannelTypedData _typedData = null!;
    private (PrivateKey Key, ChannelId Id)[] _channels = [];
    private BigInteger[] _next = [];

    public static async Task<ServiceBench> StartAsync()
    {
        var bench = new ServiceBench();
        try
        {
            await bench.InitializeAsync();
            return bench;
        }
        catch
        {
            // Stops Anvil and the service even when start-up fails half-way.
            await bench.DisposeAsync();
            throw;
        }
    }

    /// <summary>One throughput run: every payer sends its next <see cref="VouchersPerPayerPerRun"/> vouchers, pipelined up to the in-flight limit.</summary>
    public async Task<double> ThroughputAsync()
    {
        var frames = SignNext(VouchersPerPayerPerRun);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(_clients.Select((client, p) => PayAsync(client, frames[p], client.Hello.MaxVouchersInFlight)));
        return Payers * VouchersPerPayerPerRun / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// One paced run: <see cref="PacedRate"/> vouchers per second in total, round-robin over the payers (10/s each),
    /// for <see cref="PacedDuration"/>; returns the p50 and p99 from sending a VOUCHER frame to its ACK, and the p99 and
    /// the longest of the store's write + flush per group commit in the same run, in milliseconds: every voucher that
    /// arrives while one flush stalls waits for it, so at 1,000/s one 30 ms stall alone puts 1 % of the ACKs past 30 ms.
    /// </summary>
    public async Task<(double P50, double P99, double FlushP99, double FlushMax)> PacedLatencyAsync()
    {
        var total = (int)(PacedRate * PacedDuration.TotalSeconds);
        var frames = SignNext(total / Payers);
        using var batches = new StoreBatchListener();
        var latencies = new double[total];
        var sends = new Task[total];
        var pacer = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var k = 0; k < total; k++)
            {
                var due = TimeSpan.FromSeconds((double)k / PacedRate);
                while (Stopwatch.GetElapsedTime(start) < due)
                {
                    Thread.Sleep(1);
                }

                var index = k;
                sends[k] = TimeAsync(_clients[k % Payers], frames[k % Payers][k / Payers], latencies, index);
            }
        }) { IsBackground = true, Name = "pacer" };
        pacer.Start();
        await Task.Run(pacer.Join);
        await Task.WhenAll(sends);
        Console.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[payee]   paced: ACK p50 {Stats.Percentile(latencies, 50):F2} p99 {Stats.Percentile(latencies, 99):F2} max {latencies.Max():F1} ms; "
            + $"store batches: mean {batches.MeanSize:F1} vouchers, write+flush p50 {batches.DurationPercentile(50):F2} p99 {batches.DurationPercentile(99):F2} max {batches.DurationPercentile(100):F1} ms"));
        return (Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99), batches.DurationPercentile(99), batches.DurationPercentile(100));
    }

    /// <summary>
    /// One run of figure 4: opens a channel (mined in block N), signs its first voucher, mines block N + 1 (the one
    /// confirmation the service waits for) and returns the milliseconds from that block's existence (evm_mine answered)
    /// to the ACK of the voucher, sent on an already connected stream.
    /// </summary>
    public async Task<double> FirstPaymentAsync()
    {
        var key = _channels[0].Key;
        var opened = await _contract.OpenAsync(_funder, key.Address, _payee.Address, Address.Zero, 3600, Deposit);
        var id = opened.Channel.Id;
        var frame = new VoucherFrame(id, 1, _typedData.SignVoucher(key, id.Bytes, 1).ToRsv());
        await _rpc.RequestAsync("evm_mine");
        var start = Stopwatch.GetTimestamp();
        var ack = await _clients[0].SendAsync(frame);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return ack.Outcome == AckOutcome.Accepted ? elapsed : throw new InvalidOperationException($"The first voucher was answered {ack.Outcome} {ack.RejectCode}.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (_anvil is not null)
        {
            await _anvil.DisposeAsync();
        }

        foreach (var key in _keys)
        {
            key.Dispose();
        }

        _http.Dispose();
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static async Task PayAsync(PayeeStreamClient client, VoucherFrame[] frames, int inFlight)
    {
        using var gate = new SemaphoreSlim(inFlight, inFlight);
        var sends = new Task[frames.Length];
        for (var i = 0; i < frames.Length; i++)
        {
            await gate.WaitAsync();
            sends[i] = SendAsync(client, frames[i], gate);
        }

        await Task.WhenAll(sends);

        static async Task SendAsync(PayeeStreamClient client, VoucherFrame frame, SemaphoreSlim gate)
        {
            try
            {
                var ack = await client.SendAsync(frame);
                if (ack.Outcome != AckOutcome.Accepted)
                {
                    throw new InvalidOperationException($"Voucher {frame.CumulativeAmount} was answered {ack.Outcome} {ack.RejectCode}.");
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private static async Task TimeAsync(PayeeStreamClient client, VoucherFrame frame, double[] latencies, int index)
    {
        var start = Stopwatch.GetTimestamp();
        var ack = await client.SendAsync(frame);
        latencies[index] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (ack.Outcome != AckOutcome.Accepted)
        {
            throw new InvalidOperationException($"Voucher {frame.CumulativeAmount} was answered {ack.Outcome} {ack.RejectCode}.");
        }
    }

    /// <summary>Each payer's next <paramref name="count"/> vouchers (signed on both cores, before any timing).</summary>
    private VoucherFrame[][] SignNext(int count)
    {
        var frames = new VoucherFrame[Payers][];
        Parallel.For(0, Payers, p =>
        {
            var (key, id) = _channels[p];
            frames[p] = new VoucherFrame[count];
            for (var i = 0; i < count; i++)
            {
                var amount = _next[p] + i;
                frames[p][i] = new VoucherFrame(id, amount, _typedData.SignVoucher(key, id.Bytes, amount).ToRsv());
            }

            _next[p] += count;
        });
        return frames;
    }

    private async Task InitializeAsync()
    {
        _anvil = await AnvilProcess.StartAsync(new AnvilOptions());
        _rpc = new EthereumRpcClient(_http, new EthereumRpcOptions { Url = _anvil.RpcUrl, ChainId = _anvil.ChainId });
        await _rpc.ConnectAsync();
        var sender = new TransactionSender(_rpc, new NonceManager(_rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(2) });
        var funderKey = Track(PrivateKey.Generate());
        _payee = Track(PrivateKey.Generate());
        var wei = "0x" + BigInteger.Pow(10, 24).ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        await _rpc.RequestAsync("anvil_setBalance", [JsonValue.Create(funderKey.Address.ToLowerHex()), JsonValue.Create(wei)]);
        _funder = new SignedTransactor(sender, funderKey);
        _contract = await ChannelContract.DeployAsync(_rpc, _funder);
        _typedData = ChannelTypedData.ForContract(_anvil.ChainId, _contract.Address);

        // The platform (funder) opens each payer's ETH channel on their behalf, one transaction each.
        _channels = new (PrivateKey, ChannelId)[Payers];
        for (var p = 0; p < Payers; p++)
        {
            var key = Track(PrivateKey.Generate());
            var opened = await _contract.OpenAsync(_funder, key.Address, _payee.Address, Address.Zero, 3600, Deposit);
            _channels[p] = (key, opened.Channel.Id);
        }

        await _rpc.RequestAsync("evm_mine");
        _next = Enumerable.Repeat(BigInteger.One, Payers).ToArray();

        _directory = Directory.CreateTempSubdirectory("payee-service-bench-").FullName;
        _service = await PayeeServiceHost.StartAsync(
            new PayeeServiceOptions
            {
                Database = Path.Combine(_directory, "payee.db"),
                RpcUrl = _anvil.RpcUrl,
                Confirmations = 1,
                Engine = new PayeeOptions { ChainId = _anvil.ChainId, Contract = _contract.Address.ToString() },
            },
            _payee);
        for (var p = 0; p < Payers; p++)
        {
            _clients.Add(await PayeeStreamClient.ConnectAsync(_service.StreamUrl, _anvil.ChainId, _contract.Address));
        }

        // Warm-up (untimed): every channel's first voucher makes the service read its view from the chain.
        await Task.WhenAll(_clients.Select((client, p) => PayAsync(client, SignNextFor(p), 1)));
    }

    private VoucherFrame[] SignNextFor(int p)
    {
        var (key, id) = _channels[p];
        var amount = _next[p]++;
        return [new VoucherFrame(id, amount, _typedData.SignVoucher(key, id.Bytes, amount).ToRsv())];
    }

    private PrivateKey Track(PrivateKey key)
    {
        _keys.Add(key);
        return key;
    }
}
