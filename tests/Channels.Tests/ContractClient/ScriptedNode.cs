using System.Text.Json.Nodes;
using Settlement.Ethereum.Rpc;
using Settlement.Testing.Rpc;

namespace Settlement.Channels.Tests.ContractClient;

/// <summary>
/// A JSON-RPC node over the shared <see cref="JsonRpcHandler"/>: one answer (result or error) per method, or a queue of
/// them; records every request (method and params) in order. <c>eth_chainId</c> answers 31337 unless scripted.
/// </summary>
internal sealed class ScriptedNode : JsonRpcHandler
{
    private readonly Dictionary<string, Queue<JsonObject>> _answers = new(StringComparer.Ordinal);

    public ScriptedNode() => Answer("eth_chainId", "0x7a69");

    public EthereumRpcClient Client(ulong chainId = 31337) =>
        new(new HttpClient(this), new EthereumRpcOptions { Url = new Uri("http://node.test"), ChainId = chainId, MaxRetries = 0 });

    /// <summary>Answers <paramref name="method"/> with each of <paramref name="results"/> once, the last one from then on.</summary>
    public ScriptedNode Answer(string method, params JsonNode?[] results)
    {
        _answers[method] = new Queue<JsonObject>(results.Select(r => Result(r?.DeepClone())));
        return this;
    }

    /// <summary>Answers <paramref name="method"/> with a JSON-RPC error, with <c>data</c> when given.</summary>
    public ScriptedNode Error(string method, int code, string message, JsonNode? data = null)
    {
        _answers[method] = new Queue<JsonObject>([Error(code, message, data?.DeepClone())]);
        return this;
    }

    public IReadOnlyList<JsonNode?> ParamsOf(string method) => Requests.Where(r => r.Method == method).Select(r => JsonNode.Parse(r.Params)).ToArray();

    /// <summary>A <see cref="JsonRpcServerException"/> exactly as the client makes it from a node's error object.</summary>
    public static async Task<JsonRpcServerException> ServerError(int code, string message, JsonNode? data = null)
    {
        var node = new ScriptedNode().Error("eth_estimateGas", code, message, data);
        return await Should.ThrowAsync<JsonRpcServerException>(() => node.Client().RequestAsync("eth_estimateGas", []));
    }

    protected override JsonObject Respond(string method, JsonArray parameters) =>
        _answers.TryGetValue(method, out var queue) && queue.Count > 0
            ? (JsonObject)(queue.Count > 1 ? queue.Dequeue() : queue.Peek()).DeepClone()
            : throw new InvalidOperationException($"The scripted node has no answer for {method}.");
}
