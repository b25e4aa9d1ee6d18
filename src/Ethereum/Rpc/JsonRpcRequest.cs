using System.Text.Json.Nodes;

namespace Settlement.Ethereum.Rpc;

/// <summary>One request of a batch: a method and its positional parameters.</summary>
/// <param name="Method">The JSON-RPC method.</param>
/// <param name="Parameters">Positional parameters (JSON values).</param>
public sealed record JsonRpcRequest(string Method, IReadOnlyList<JsonNode?> Parameters)
{
    /// <summary>A request with positional parameters.</summary>
    public static JsonRpcRequest Create(string method, params JsonNode?[] parameters) => new(method, parameters);
}
