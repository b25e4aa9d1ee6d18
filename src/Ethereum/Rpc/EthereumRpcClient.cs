using System.Net;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// An Ethereum JSON-RPC 2.0 client over HTTP. Thread-safe; one instance per node endpoint.
/// Idempotent reads are retried on transient transport faults (connection refused, HTTP 5xx/429,
/// timeouts) through a Polly pipeline; <c>eth_sendRawTransaction</c> is only ever repeated with the
/// very same signed bytes (see <see cref="SendRawTransactionAsync"/>).
/// </summary>
public sealed partial class EthereumRpcClient
{
    // Methods that change nothing on the node: safe to repeat after a transport fault.
    private static readonly HashSet<string> IdempotentMethods = new(StringComparer.Ordinal)
    {
        "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_getBalance",
        "eth_getTransactionCount", "eth_call", "eth_estimateGas", "eth_gasPrice", "eth_maxPriorityFeePerGas",
        "eth_feeHistory", "eth_getTransactionReceipt", "eth_getTransactionByHash", "eth_getLogs",
        "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getCode", "eth_getStorageAt", "eth_accounts",
        "eth_syncing",
    };

    private readonly HttpClient? _http;
    private readonly NethereumClientTransport? _nethereum;
    private readonly EthereumRpcOptions _options;
    private readonly Uri? _endpoint;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private long _nextId;
    private volatile bool _chainVerified;

    /// <summary>Creates a client over HTTP.</summary>
    /// <param name="http">The HTTP client (its BaseAddress is ignored; <see cref="EthereumRpcOptions.Url"/> is used).</param>
    /// <param name="options">Endpoint, chain id and retry settings.</param>
    /// <param name="logger">Logger; requests are logged by method and id only.</param>
    /// <param name="timeProvider">Clock for timeouts, retry delays and receipt polling.</param>
    public EthereumRpcClient(HttpClient http, EthereumRpcOptions options, ILogger<EthereumRpcClient>? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _endpoint = options.Url ?? throw new ArgumentException("EthereumRpcOptions.Url is required.", nameof(options));
    }

    /// <summary>
    /// Creates a client over a Nethereum JSON-RPC client an application already holds (<c>web3.Client</c>), with
    /// the same typed calls, retries of idempotent methods, identical-bytes resends, chain check and errors as over
    /// HTTP. <see cref="EthereumRpcOptions.Url"/> is not used; <see cref="EthereumRpcOptions.RequestTimeout"/> bounds
    /// each wait on <paramref name="client"/> (which has no cancellation of its own: a cancelled or timed-out request
    /// is abandoned, not aborted). Batches are sent one request at a time.
    /// </summary>
    /// <param name="client">The Nethereum client (<see cref="Nethereum.JsonRpc.Client.IClient"/>).</param>
    /// <param name="options">Chain id and retry settings.</param>
    /// <param name="logger">Logger; requests are logged by method and id only.</param>
    /// <param name="timeProvider">Clock for timeouts, retry delays and receipt polling.</param>
    public EthereumRpcClient(Nethereum.JsonRpc.Client.IClient client, EthereumRpcOptions options, ILogger<EthereumRpcClient>? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        _nethereum = new NethereumClientTransport(client);
    }

    private EthereumRpcClient(EthereumRpcOptions options, ILogger<EthereumRpcClient>? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _retry = options.MaxRetries == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = _time }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<JsonRpcException>(e => e.IsTransient),
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    OnRetry = args =>
                    {
                        LogRetry(_logger, args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "no exception");
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    /// <summary>The configured chain id.</summary>
    public ulong ChainId => _options.ChainId;

    /// <summary>The clock the client uses (receipt polling, timeouts).</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>
    /// Checks once that the node serves the configured chain. Everything that signs or sends calls
    /// this first.
    /// </summary>
    /// <exception cref="ChainIdMismatchException">The node serves another chain.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (_chainVerified)
        {
            return;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_chainVerified)
            {
                return;
            }

            var actual = await GetChainIdAsync(cancellationToken).ConfigureAwait(false);
            if (actual != _options.ChainId)
            {
                throw new ChainIdMismatchException(_options.ChainId, actual, _endpoint);
            }

            _chainVerified = true;
            LogConnected(_logger, _endpoint?.GetLeftPart(UriPartial.Authority) ?? "a Nethereum client", actual);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Sends one request and returns its result (a detached copy).</summary>
    /// <exception cref="JsonRpcServerException">The node returned an error.</exception>
    /// <exception cref="JsonRpcTransportException">No valid answer arrived.</exception>
    public Task<JsonElement> RequestAsync(string method, IReadOnlyList<JsonNode?>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        var request = new JsonRpcRequest(method, parameters ?? []);
        return IsIdempotent(method)
            ? _retry.ExecuteAsync(static (state, ct) => new ValueTask<JsonElement>(state.self.SendOneAsync(state.request, ct)), (self: this, request), cancellationToken).AsTask()
            : SendOneAsync(request, cancellationToken);
    }

    /// <summary>
    /// Sends several requests as JSON-RPC batches (split by <see cref="EthereumRpcOptions.MaxBatchSize"/>)
    /// and returns one response per request, in order. A node error for one request is reported in
    /// its response; transport faults throw. Batches of idempotent methods are retried as a whole.
    /// </summary>
    public async Task<IReadOnlyList<JsonRpcResponse>> BatchAsync(IReadOnlyList<JsonRpcRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var results = new List<JsonRpcResponse>(requests.Count);
        for (var start = 0; start < requests.Count; start += _options.MaxBatchSize)
        {
            var chunk = requests.Skip(start).Take(_options.MaxBatchSize).ToArray();
            var idempotent = chunk.All(r => IsIdempotent(r.Method));
            var part = idempotent
                ? await _retry.ExecuteAsync(static (state, ct) => new ValueTask<IReadOnlyList<JsonRpcResponse>>(state.self.SendBatchOnceAsync(state.chunk, ct)), (self: this, chunk), cancellationToken).ConfigureAwait(false)
                : await SendBatchOnceAsync(chunk, cancellationToken).ConfigureAwait(false);
            results.AddRange(part);
        }

        return results;
    }

    /// <summary><c>eth_chainId</c>.</summary>
    public async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken = default) =>
        RpcJson.UInt64(await RequestAsync("eth_chainId", null, cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_blockNumber</c>.</summary>
    public async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        RpcJson.UInt64(await RequestAsync("eth_blockNumber", null, cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getBalance</c> in wei.</summary>
    public async Task<BigInteger> GetBalanceAsync(Address account, BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        RpcJson.Quantity(await RequestAsync("eth_getBalance", [account.ToLowerHex(), Block(block)], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getTransactionCount</c> (the next nonce at that block; use Pending for sending).</summary>
    public async Task<ulong> GetTransactionCountAsync(Address account, BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        RpcJson.UInt64(await RequestAsync("eth_getTransactionCount", [account.ToLowerHex(), Block(block)], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_getCode</c>.</summary>
    public async Task<byte[]> GetCodeAsync(Address account, BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        RpcJson.Bytes(await RequestAsync("eth_getCode", [account.ToLowerHex(), Block(block)], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_call</c>: the return data. A revert throws <see cref="JsonRpcServerException"/> with the revert data.</summary>
    public async Task<byte[]> CallAsync(CallRequest call, BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        RpcJson.Bytes(await RequestAsync("eth_call", [ToJson(call), Block(block)], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_estimateGas</c>. A revert throws <see cref="JsonRpcServerException"/> with the revert data.</summary>
    public async Task<ulong> EstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default) =>
        RpcJson.UInt64(await RequestAsync("eth_estimateGas", [ToJson(call)], cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_gasPrice</c> in wei.</summary>
    public async Task<BigInteger> GetGasPriceAsync(CancellationToken cancellationToken = default) =>
        RpcJson.Quantity(await RequestAsync("eth_gasPrice", null, cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_maxPriorityFeePerGas</c> in wei.</summary>
    public async Task<BigInteger> GetMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        RpcJson.Quantity(await RequestAsync("eth_maxPriorityFeePerGas", null, cancellationToken).ConfigureAwait(false));

    /// <summary><c>eth_feeHistory</c>.</summary>
    public async Task<FeeHistory> GetFeeHistoryAsync(int blockCount, BlockParameter? newestBlock = null, IReadOnlyList<double>? rewardPercentiles = null, CancellationToken cancellationToken = default)
    {
        var percentiles = new JsonArray();
        foreach (var p in rewardPercentiles ?? [])
        {
            percentiles.Add(p);
        }

        var result = await RequestAsync("eth_feeHistory", [Quantity.Format((ulong)blockCount), Block(newestBlock), percentiles], cancellationToken).ConfigureAwait(false);
        return RpcJson.FeeHistory(result);
    }

    /// <summary><c>eth_getBlockByNumber</c> without full transactions; null when the block does not exist.</summary>
    public async Task<BlockHeader?> GetBlockByNumberAsync(BlockParameter block, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getBlockByNumber", [Block(block), false], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : RpcJson.Block(result);
    }

    /// <summary><c>eth_getTransactionReceipt</c>; null while the transaction is not mined.</summary>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getTransactionReceipt", [Encoding.Hex.Encode(transactionHash.Span)], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : RpcJson.Receipt(result);
    }

    /// <summary><c>eth_getTransactionByHash</c>: whether the node knows the transaction (pending or mined).</summary>
    public async Task<bool> IsTransactionKnownAsync(ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getTransactionByHash", [Encoding.Hex.Encode(transactionHash.Span)], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Object;
    }

    /// <summary><c>eth_getLogs</c>.</summary>
    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var json = new JsonObject
        {
            ["fromBlock"] = Block(filter.FromBlock),
            ["toBlock"] = Block(filter.ToBlock),
        };
        if (filter.Addresses.Count > 0)
        {
            json["address"] = new JsonArray(filter.Addresses.Select(a => (JsonNode?)a.ToLowerHex()).ToArray());
        }

        if (filter.Topics.Count > 0)
        {
            json["topics"] = new JsonArray(filter.Topics.Select(t => t is null
                ? null
                : (JsonNode)new JsonArray(t.Select(x => (JsonNode?)Encoding.Hex.Encode(x)).ToArray())).ToArray());
        }

        var result = await RequestAsync("eth_getLogs", [json], cancellationToken).ConfigureAwait(false);
        return RpcJson.Array(result, "eth_getLogs' result").Select(RpcJson.Log).ToArray();
    }

    /// <summary>
    /// <c>eth_sendRawTransaction</c>: returns the transaction hash (Keccak-256 of the raw bytes).
    /// Transport faults are retried with the same bytes — a resend of an identical signed transaction
    /// cannot double-spend. When the node then answers "already known" or "nonce too low", the node is
    /// asked whether it holds this very hash; if so that is success, otherwise the error stands. The
    /// transaction is never re-signed or given another nonce here.
    /// </summary>
    public async Task<byte[]> SendRawTransactionAsync(ReadOnlyMemory<byte> rawTransaction, CancellationToken cancellationToken = default)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var hash = Keccak256.Hash(rawTransaction.Span);
        var request = new JsonRpcRequest("eth_sendRawTransaction", [Encoding.Hex.Encode(rawTransaction.Span)]);
        try
        {
            var result = await _retry.ExecuteAsync(
                static (state, ct) => new ValueTask<JsonElement>(state.self.SendOneAsync(state.request, ct)),
                (self: this, request),
                cancellationToken).ConfigureAwait(false);
            var returned = RpcJson.Bytes(result);
            if (!returned.AsSpan().SequenceEqual(hash))
            {
                throw new JsonRpcTransportException($"The node returned hash {Encoding.Hex.Encode(returned)} for a transaction whose hash is {Encoding.Hex.Encode(hash)}.", request.Method, isTransient: false);
            }

            return hash;
        }
        catch (JsonRpcServerException ex) when (MayBeDuplicate(ex))
        {
            if (await IsTransactionKnownAsync(hash, cancellationToken).ConfigureAwait(false))
            {
                LogDuplicateAccepted(_logger, Encoding.Hex.Encode(hash), ex.NodeMessage);
                return hash;
            }

            throw;
        }
    }

    /// <summary>
    /// Polls <c>eth_getTransactionReceipt</c> every <paramref name="pollInterval"/> (on this client's
    /// TimeProvider) until the transaction is mined.
    /// </summary>
    /// <exception cref="TransactionReceiptTimeoutException">Not mined within <paramref name="timeout"/>.</exception>
    public async Task<TransactionReceipt> WaitForReceiptAsync(ReadOnlyMemory<byte> transactionHash, TimeSpan timeout, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        var started = _time.GetTimestamp();
        while (true)
        {
            var receipt = await GetTransactionReceiptAsync(transactionHash, cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                return receipt;
            }

            var elapsed = _time.GetElapsedTime(started);
            if (elapsed >= timeout)
            {
                throw new TransactionReceiptTimeoutException(transactionHash.ToArray(), timeout);
            }

            var wait = timeout - elapsed < pollInterval ? timeout - elapsed : pollInterval;
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool MayBeDuplicate(JsonRpcServerException ex) =>
        ex.NodeMessage.Contains("already known", StringComparison.OrdinalIgnoreCase)
        || ex.NodeMessage.Contains("known transaction", StringComparison.OrdinalIgnoreCase)
        || ex.NodeMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase)
        || ex.NodeMessage.Contains("already exists", StringComparison.OrdinalIgnoreCase)
        || ex.NodeMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase);

    private static bool IsIdempotent(string method) => IdempotentMethods.Contains(method);

    private static string Block(BlockParameter? block) => (block ?? BlockParameter.Latest).ToJson();

    private static JsonObject ToJson(CallRequest call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var json = new JsonObject();
        if (call.From is { } from)
        {
            json["from"] = from.ToLowerHex();
        }

        if (call.To is { } to)
        {
            json["to"] = to.ToLowerHex();
        }

        json["data"] = Encoding.Hex.Encode(call.Data.Span);
        if (call.Value is { } value)
        {
            json["value"] = Quantity.Format(value);
        }

        if (call.Gas is { } gas)
        {
            json["gas"] = Quantity.Format(gas);
        }

        return json;
    }

    private async Task<JsonElement> SendOneAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = Serialize(request, id).ToJsonString();
        using var doc = await PostAsync(body, request.Method, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonRpcTransportException($"{request.Method}: the answer is not a JSON-RPC response object.", request.Method, isTransient: false);
        }

        return ReadResponse(root, request.Method, id);
    }

    private async Task<IReadOnlyList<JsonRpcResponse>> SendBatchOnceAsync(JsonRpcRequest[] chunk, CancellationToken cancellationToken)
    {
        var array = new JsonArray();
        var firstId = Interlocked.Add(ref _nextId, chunk.Length) - chunk.Length + 1;
        for (var i = 0; i < chunk.Length; i++)
        {
            array.Add(Serialize(chunk[i], firstId + i));
        }

        using var doc = await PostAsync(array.ToJsonString(), "batch", cancellationToken).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            // A node that rejects the whole batch answers with one error object.
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                throw JsonRpcServerException.FromError("batch", error);
            }

            throw new JsonRpcTransportException("batch: the answer is not a JSON array.", "batch", isTransient: false);
        }

        // Responses may come in any order (JSON-RPC 2.0 §6): match them by id.
        var byId = new Dictionary<long, JsonElement>();
        foreach (var response in doc.RootElement.EnumerateArray())
        {
            if (response.ValueKind == JsonValueKind.Object && response.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out var id))
            {
                byId[id] = response;
            }
        }

        var results = new JsonRpcResponse[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            if (!byId.TryGetValue(firstId + i, out var response))
            {
                throw new JsonRpcTransportException($"batch: no response for request {i} ({chunk[i].Method}).", chunk[i].Method, isTransient: false);
            }

            try
            {
                results[i] = new JsonRpcResponse(ReadResponse(response, chunk[i].Method, firstId + i), null);
            }
            catch (JsonRpcServerException ex)
            {
                results[i] = new JsonRpcResponse(default, ex);
            }
        }

        return results;
    }

    private static JsonObject Serialize(JsonRpcRequest request, long id)
    {
        var parameters = new JsonArray();
        foreach (var p in request.Parameters)
        {
            parameters.Add(p?.DeepClone());
        }

        return new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = request.Method,
            ["params"] = parameters,
        };
    }

    private static JsonElement ReadResponse(JsonElement response, string method, long id)
    {
        if (!response.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var gotId) || gotId != id)
        {
            if (response.TryGetProperty("error", out var orphanError))
            {
                throw JsonRpcServerException.FromError(method, orphanError);
            }

            throw new JsonRpcTransportException($"{method}: the response id does not match the request id {id}.", method, isTransient: false);
        }

        if (response.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw JsonRpcServerException.FromError(method, error);
        }

        if (!response.TryGetProperty("result", out var result))
        {
            throw new JsonRpcTransportException($"{method}: the response has neither result nor error.", method, isTransient: false);
        }

        return result.Clone();
    }

    private Task<JsonDocument> PostAsync(string body, string method, CancellationToken cancellationToken) =>
        _nethereum is { } nethereum
            ? nethereum.PostAsync(body, method, _options.RequestTimeout, _time, cancellationToken)
            : PostHttpAsync(body, method, cancellationToken);

    private async Task<JsonDocument> PostHttpAsync(string body, string method, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var registration = timeout.Token.Register(static s => ((CancellationTokenSource)s!).Cancel(), attempt);
        LogRequest(_logger, method);
        try
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await _http!.PostAsync(_endpoint, content, attempt.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                // Some nodes send a JSON-RPC error with a 4xx/5xx status; keep the JSON error when there is one.
                var text = await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false);
                var transient = status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests || response.StatusCode == HttpStatusCode.RequestTimeout;
                if (!transient && TryParseError(text, method) is { } serverError)
                {
                    throw serverError;
                }

                throw new JsonRpcTransportException($"{method}: HTTP {status} from the node.", method, transient, status);
            }

            // Read whole and checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and
            // throws InvalidOperationException only when the string is read (GetString), outside this client's exceptions.
            var bytes = await response.Content.ReadAsByteArrayAsync(attempt.Token).ConfigureAwait(false);
            if (!Utf8.IsValid(bytes))
            {
                throw new JsonRpcTransportException($"{method}: the answer is not UTF-8.", method, isTransient: false);
            }

            return JsonDocument.Parse(bytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new JsonRpcTransportException($"{method}: no answer within {_options.RequestTimeout.TotalSeconds:0.###} s.", method, isTransient: true);
        }
        catch (HttpRequestException ex)
        {
            // Connection refused / reset / DNS: the request may not have arrived; repeating is safe for idempotent methods.
            throw new JsonRpcTransportException($"{method}: {ex.Message}", method, isTransient: true, innerException: ex);
        }
        catch (JsonException ex)
        {
            throw new JsonRpcTransportException($"{method}: the answer is not valid JSON.", method, isTransient: false, innerException: ex);
        }
    }

    private static JsonRpcServerException? TryParseError(string text, string method)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? JsonRpcServerException.FromError(method, error)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "JSON-RPC {Method}")]
    private static partial void LogRequest(ILogger logger, string method);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "JSON-RPC retry {Attempt} after transient fault: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Connected to {Endpoint}, chain id {ChainId}")]
    private static partial void LogConnected(ILogger logger, string endpoint, ulong chainId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Transaction {Hash} was already known to the node ({NodeMessage}); treated as sent")]
    private static partial void LogDuplicateAccepted(ILogger logger, string hash, string nodeMessage);
}
