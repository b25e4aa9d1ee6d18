using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// A JSON-RPC node over <see cref="HttpMessageHandler"/>: one answer (result or error) per method, or a queue of them;
/// records every request (method and params) in order. <c>eth_chainId</c> answers 31337 unless scripted.
/// </summary>
internal sealed class ScriptedNode : HttpMessageHandler
{
    private readonly Dictionary<string, Queue<JsonObject>> _answers = new(StringComparer.Ordinal);

    public ScriptedNode() => Answer("eth_chainId", "0x7a69");

    public List<(string Method, JsonNode? Params)> Requests { get; } = [];

    /// <summary>Called with each request's method after it was recorded (a test waits on it instead of sleeping).</summary>
    public Action<string>? OnRequest { get; set; }

    public EthereumRpcClient Client(ulong chainId = 31337) =>
        new(new HttpClient(this), new EthereumRpcOptions { Url = new Uri("http://node.test"), ChainId = chainId, MaxRetries = 0 });

    /// <summary>Answers <paramref name="method"/> with each of <paramref name="results"/> once, the last one from then on.</summary>
    public ScriptedNode Answer(string method, params JsonNode?[] results)
    {
        _answers[method] = new Queue<JsonObject>(results.Select(r => new JsonObject { ["result"] = r?.DeepClone() }));
        return this;
    }

    /// <summary>Answers <paramref name="method"/> with a JSON-RPC error, with <c>data</c> when given.</summary>
    public ScriptedNode Error(string method, int code, string message, JsonNode? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data.DeepClone();
        }

        _answers[method] = new Queue<JsonObject>([new JsonObject { ["error"] = error }]);
        return this;
    }

    public IReadOnlyList<JsonNode?> ParamsOf(string method) => Requests.Where(r => r.Method == method).Select(r => r.Params).ToArray();

    /// <summary>A <see cref="JsonRpcServerException"/> exactly as the client makes it from a node's error object.</summary>
    public static async Task<JsonRpcServerException> ServerError(int code, string message, JsonNode? data = null)
    {
        var node = new ScriptedNode().Error("eth_estimateGas", code, message, data);
        return await Should.ThrowAsync<JsonRpcServerException>(() => node.Client().RequestAsync("eth_estimateGas", []));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
        var method = body["method"]!.GetValue<string>();
        lock (Requests)
        {
            Requests.Add((method, body["params"]?.DeepClone()));
        }

        OnRequest?.Invoke(method);
        if (!_answers.TryGetValue(method, out var queue) || queue.Count == 0)
        {
            throw new InvalidOperationException($"The scripted node has no answer for {method}.");
        }

        var answer = (JsonObject)(queue.Count > 1 ? queue.Dequeue() : queue.Peek()).DeepClone();
        answer["jsonrpc"] = "2.0";
        answer["id"] = body["id"]!.DeepClone();
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
    }
}
