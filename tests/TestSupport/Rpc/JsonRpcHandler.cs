using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Settlement.Testing.Rpc;

/// <summary>
/// A JSON-RPC 2.0 server in memory over an <see cref="HttpMessageHandler"/>, for tests: reads one request a call,
/// records it (method, params as JSON text), answers it with <see cref="Respond"/> under <see cref="Gate"/> and writes
/// the answer with the request's id. <see cref="FailNext"/> fails the next request of a method with a node error;
/// <see cref="OnRequest"/> lets a test wait for a request instead of sleeping. Linked as source into the unit test
/// projects that have such a node (they do not reference this library).
/// </summary>
public abstract class JsonRpcHandler : HttpMessageHandler
{
    private readonly List<(string Method, string Params)> _requests = [];

    /// <summary>The next request of this method fails with a node error (-32000, "node unavailable").</summary>
    public string? FailNext { get; set; }

    /// <summary>Runs after each request was recorded and answered, with its method (outside <see cref="Gate"/>).</summary>
    public Action<string>? OnRequest { get; set; }

    /// <summary>Requests received, in order: method and params as JSON text.</summary>
    public IReadOnlyList<(string Method, string Params)> Requests
    {
        get
        {
            lock (Gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The lock every answer is made under; a derived node's scripting methods take it too.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>How many requests of <paramref name="method"/> were received.</summary>
    public int Count(string method) => Requests.Count(r => r.Method == method);

    /// <summary>An answer with <paramref name="result"/>.</summary>
    protected static JsonObject Result(JsonNode? result) => new() { ["result"] = result };

    /// <summary>An answer with a JSON-RPC error, with <c>data</c> when given.</summary>
    protected static JsonObject Error(int code, string message, JsonNode? data = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (data is not null)
        {
            error["data"] = data;
        }

        return new JsonObject { ["error"] = error };
    }

    /// <summary>Answers one request (under <see cref="Gate"/>): an object with <c>result</c> or <c>error</c>.</summary>
    protected abstract JsonObject Respond(string method, JsonArray parameters);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
        var method = body["method"]!.GetValue<string>();
        var parameters = body["params"]?.AsArray() ?? [];
        JsonObject answer;
        lock (Gate)
        {
            _requests.Add((method, parameters.ToJsonString()));
            if (FailNext == method)
            {
                FailNext = null;
                answer = Error(-32000, "node unavailable");
            }
            else
            {
                answer = Respond(method, parameters);
            }
        }

        OnRequest?.Invoke(method);
        answer["jsonrpc"] = "2.0";
        answer["id"] = body["id"]!.DeepClone();
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
    }
}
