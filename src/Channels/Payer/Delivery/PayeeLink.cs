using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Settlement.Channels.Transport;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Payer.Delivery;

/// <summary>
/// The payer's connection to one payee service stream: connects lazily, notices a dropped connection at once (the
/// client's <see cref="PayeeStreamClient.Closed"/>) and reconnects with exponential back-off on the injected
/// <see cref="TimeProvider"/>. A send while disconnected returns null instead of throwing: the voucher is already
/// durable and the channel delivers its newest voucher when <see cref="Connected"/> fires.
/// </summary>
internal sealed partial class PayeeLink : IAsyncDisposable
{
    private readonly Uri _url;
    private readonly ulong _chainId;
    private readonly Address _contract;
    private readonly PayerClientOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private PayeeStreamClient? _client;
    private Task? _connecting;
    private TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    public PayeeLink(Uri url, ulong chainId, Address contract, PayerClientOptions options, ILogger logger)
    {
        _url = url;
        _chainId = chainId;
        _contract = contract;
        _options = options;
        _logger = logger;
    }

    /// <summary>Raised after every successful (re)connection, off the caller's thread.</summary>
    public event Func<Task>? Connected;

    /// <summary>Raised for every RECEIPT frame (on the receive loop: handlers return quickly).</summary>
    public event Action<ReceiptFrame>? ReceiptReceived;

    /// <summary>Every REFUND frame of the current connection (unverified; each channel checks and stores its own).</summary>
    public event Action<RefundFrame>? RefundReceived;

    public Uri Url => _url;

    public bool IsConnected => Volatile.Read(ref _client) is not null;

    /// <summary>Connections made so far (for tests and status).</summary>
    public int Connections { get; private set; }

    /// <summary>Starts connecting in the background if not connected.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_disposed || _client is not null || _connecting is { IsCompleted: false })
            {
                return;
            }

            if (_firstAttempt.Task.IsCompleted)
            {
                _firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _connecting = Task.Run(ConnectLoopAsync);
        }
    }

    /// <summary>
    /// Waits for the first connection attempt in progress (not for the retries after it fails): a send right after
    /// start or a drop goes out if the payee is there, without blocking for back-off while it is not.
    /// </summary>
    private async Task<PayeeStreamClient?> CurrentOrFirstAttemptAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is { } client)
        {
            return client;
        }

        Start();
        Task attempt;
        lock (_gate)
        {
            attempt = _firstAttempt.Task;
        }

        await attempt.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _client);
    }

    /// <summary>Sends a voucher and returns its ACK, or null if the payee is unreachable now.</summary>
    public async Task<AckFrame?> TrySendAsync(VoucherFrame frame, CancellationToken cancellationToken)
    {
        var client = await CurrentOrFirstAttemptAsync(cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return null;
        }

        try
        {
            return await client.SendAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFault(ex) && !cancellationToken.IsCancellationRequested)
        {
            Drop(client);
            return null;
        }
    }

    /// <summary>Asks for a receipt of the newest stored amount, or null if unreachable or none is held.</summary>
    public async Task<ReceiptFrame?> TryRequestReceiptAsync(ChannelId channelId, CancellationToken cancellationToken)
    {
        var client = await CurrentOrFirstAttemptAsync(cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return null;
        }

        try
        {
            return await client.RequestReceiptAsync(channelId, cancellationToken).ConfigureAwait(false);
        }
        catch (PayeeProtocolException ex) when (ex.Code is not null)
        {
            return null; // an ERROR frame (nothing stored): the connection is fine
        }
        catch (Exception ex) when (IsConnectionFault(ex) && !cancellationToken.IsCancellationRequested)
        {
            Drop(client);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        PayeeStreamClient? client;
        Task? connecting;
        lock (_gate)
        {
            _disposed = true;
            client = _client;
            _client = null;
            connecting = _connecting;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _firstAttempt.TrySetResult();
        if (connecting is not null)
        {
            try
            {
                await connecting.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private static bool IsConnectionFault(Exception ex) =>
        ex is PayeeProtocolException or WebSocketException or ObjectDisposedException or IOException or OperationCanceledException or HttpRequestException;

    private void Drop(PayeeStreamClient client)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_client, client))
            {
                return;
            }

            _client = null;
        }

        LogDisconnected(_logger, _url);
        _ = client.DisposeAsync().AsTask();
        Start();
    }

    private async Task ConnectLoopAsync()
    {
        var delay = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _options.TimeProvider, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            PayeeStreamClient client;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(_options.ConnectTimeout);
                client = await PayeeStreamClient.ConnectAsync(_url, _chainId, _contract, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsConnectionFault(ex))
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                _firstAttempt.TrySetResult();
                delay = delay == TimeSpan.Zero ? _options.ReconnectInitialDelay : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
                LogConnectFailed(_logger, _url, delay, ex.Message);
                continue;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    _ = client.DisposeAsync().AsTask();
                    return;
                }

                _client = client;
                Connections++;
            }

            _firstAttempt.TrySetResult();

            client.ReceiptReceived += (_, receipt) => ReceiptReceived?.Invoke(receipt);
            client.RefundReceived += (_, refund) => RefundReceived?.Invoke(refund);
            _ = client.Closed.ContinueWith(_ => Drop(client), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            LogConnected(_logger, _url, client.Hello.Payee);
            if (Connected is { } handlers)
            {
                foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>())
                {
                    _ = Task.Run(handler);
                }
            }

            return;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Payee stream {Url}: connected (payee {Payee})")]
    private static partial void LogConnected(ILogger logger, Uri url, Address payee);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Payee stream {Url}: disconnected; vouchers are queued and the newest is sent on reconnect")]
    private static partial void LogDisconnected(ILogger logger, Uri url);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Payee stream {Url}: connect failed, retrying in {Delay} ({Reason})")]
    private static partial void LogConnectFailed(ILogger logger, Uri url, TimeSpan delay, string reason);
}
