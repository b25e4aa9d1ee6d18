using System.Net;
using System.Text.Json;

namespace Settlement.Ethereum.Tests.Rpc;

/// <summary>
/// An HTTP handler that plays a node: each single (non-batch) request is answered by
/// <see cref="Respond"/> from its method and params. Every request body is recorded.
/// </summary>
internal sealed class ScriptedRpcHandler : HttpMessageHandler
{
    private readonly List<string> _bodies = [];

    public Func<string, JsonElement, int, Reply> Respond { get; set; } = (_, _, _) => Reply.Result("null");

    public IReadOnlyList<string> Bodies
    {
        get
        {
            lock (_bodies)
            {
                return _bodies.ToArray();
            }
        }
    }

    public int CountOf(string method) => Bodies.Count(b => b.Contains($"\"method\":\"{method}\"", StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        int index;
        lock (_bodies)
        {
            _bodies.Add(body);
            index = _bodies.Count - 1;
        }

        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.ValueKind == JsonValueKind.Array)
        {
            // Answer a batch in reverse order: clients must match by id.
            var parts = doc.RootElement.EnumerateArray().Reverse().Select(r =>
            {
                var reply = Respond(r.GetProperty("method").GetString()!, r.GetProperty("params").Clone(), index);
                return reply.Body(r.GetProperty("id").GetInt64());
            });
            return Json("[" + string.Join(",", parts) + "]");
        }

        var root = doc.RootElement;
        var result = Respond(root.GetProperty("method").GetString()!, root.GetProperty("params").Clone(), index);
        if (result.Throw is { } ex)
        {
            throw ex;
        }

        if (result.Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (result.Status != HttpStatusCode.OK)
        {
            return new HttpResponseMessage(result.Status) { Content = new StringContent("busy") };
        }

        if (result.RawResult is { } raw)
        {
            // The result's bytes as given (possibly not UTF-8), inside a well-formed response envelope.
            var content = new ByteArrayContent([.. System.Text.Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":{root.GetProperty("id").GetInt64()},\"result\":"), .. raw, (byte)'}']);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }

        return Json(result.Body(root.GetProperty("id").GetInt64()));
    }

    private static HttpResponseMessage Json(string text) =>
        new(HttpStatusCode.OK) { Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json") };

    internal sealed record Reply(
        string? ResultJson, string? ErrorJson, HttpStatusCode Status = HttpStatusCode.OK, Exception? Throw = null, bool Hang = false, bool IdAsString = false, byte[]? RawResult = null)
    {
        public static Reply Result(string json) => new(json, null);

        /// <summary>A result given as raw bytes (a node that answers bytes that are not UTF-8).</summary>
        public static Reply ResultBytes(byte[] json) => new(null, null, RawResult: json);

        /// <summary>A result whose id is the request's number written as a JSON string (a node that breaks the id's type).</summary>
        public static Reply ResultWithStringId(string json) => new(json, null, IdAsString: true);

        public static Reply Error(int code, string message, string? dataJson = null) =>
            new(null, dataJson is null
                ? $"{{\"code\":{code},\"message\":{JsonSerializer.Serialize(message)}}}"
                : $"{{\"code\":{code},\"message\":{JsonSerializer.Serialize(message)},\"data\":{dataJson}}}");

        public static Reply HttpStatus(HttpStatusCode status) => new(null, null, status);

        public static Reply Fail(Exception ex) => new(null, null, Throw: ex);

        public static Reply NeverAnswer() => new(null, null, Hang: true);

        public string Body(long id)
        {
            var idJson = IdAsString ? $"\"{id}\"" : id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ErrorJson is not null
                ? $"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"error\":{ErrorJson}}}"
                : $"{{\"jsonrpc\":\"2.0\",\"id\":{idJson},\"result\":{ResultJson}}}";
        }
    }
}
