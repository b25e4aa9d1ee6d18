using System.Text.Json;

namespace Settlement.Ethereum.Rpc;

/// <summary>One answer of a batch: a result or the node's error for that request.</summary>
public sealed class JsonRpcResponse
{
    private readonly JsonElement _result;

    internal JsonRpcResponse(JsonElement result, JsonRpcServerException? error)
    {
        _result = result;
        Error = error;
    }

    /// <summary>The node's error for this request, if it failed.</summary>
    public JsonRpcServerException? Error { get; }

    /// <summary>True when the request succeeded.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>The result, or the error thrown.</summary>
    /// <exception cref="JsonRpcServerException">The request failed.</exception>
    public JsonElement GetResult() => Error is null ? _result : throw Error;
}
