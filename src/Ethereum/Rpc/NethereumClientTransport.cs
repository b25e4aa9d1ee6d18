using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.JsonRpc.Client;
using Nethereum.JsonRpc.Client.RpcMessages;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Settlement.Ethereum.Rpc;

/// <summary>
/// Carries <see cref="EthereumRpcClient"/>'s JSON-RPC requests over a Nethereum <see cref="IClient"/> (an
/// application's own <c>web3.Client</c>): the request JSON becomes <see cref="RpcRequestMessage"/>s, each answer is
/// turned back into the JSON a node sends, and Nethereum's transport exceptions become our
/// <see cref="JsonRpcTransportException"/> with the same transient/permanent split as over HTTP.
/// </summary>
internal sealed class NethereumClientTransport(IClient client)
{
    public async Task<JsonDocument> PostAsync(string body, string method, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = JsonNode.Parse(body);
        if (request is JsonArray batch)
        {
            // IClient's batch API needs typed items per request; requests go one at a time instead, in order.
            var answers = new JsonArray();
            foreach (var item in batch)
            {
                answers.Add(JsonNode.Parse(await SendOneAsync(item!.AsObject(), method, timeout, time, cancellationToken).ConfigureAwait(false)));
            }

            return JsonDocument.Parse(answers.ToJsonString());
        }

        return JsonDocument.Parse(await SendOneAsync(request!.AsObject(), method, timeout, time, cancellationToken).ConfigureAwait(false));
    }

    private async Task<string> SendOneAsync(JsonObject request, string method, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var parameters = request["params"]?.AsArray().Select(p => (object?)JToken.Parse(p?.ToJsonString() ?? "null")).ToArray() ?? [];
        var message = new RpcRequestMessage(request["id"]!.GetValue<long>(), request["method"]!.GetValue<string>(), parameters);
        RpcResponseMessage response;
        try
        {
            response = await client.SendAsync(message).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new JsonRpcTransportException($"{method}: no answer within {timeout.TotalSeconds:0.###} s.", method, isTransient: true);
        }
        catch (RpcClientTimeoutException ex)
        {
            throw new JsonRpcTransportException($"{method}: {ex.Message}", method, isTransient: true, innerException: ex);
        }
        catch (RpcClientUnknownException ex)
        {
            // Nethereum wraps every transport failure; the HTTP status (or its absence: connection refused) decides.
            var status = (ex.InnerException as HttpRequestException)?.StatusCode;
            var transient = status is null || (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
            throw new JsonRpcTransportException($"{method}: {ex.Message}", method, transient, (int?)status, ex);
        }

        if (response is null)
        {
            throw new JsonRpcTransportException($"{method}: the Nethereum client returned no response.", method, isTransient: false);
        }

        // The answer as a node sends it, so that one parser (ids, errors, revert data) serves both transports.
        var json = new JObject { ["jsonrpc"] = "2.0", ["id"] = response.Id is null ? JValue.CreateNull() : JToken.FromObject(response.Id) };
        if (response.Error is { } error)
        {
            json["error"] = new JObject { ["code"] = error.Code, ["message"] = error.Message, ["data"] = error.Data is null ? null : JToken.FromObject(error.Data) };
        }
        else
        {
            json["result"] = response.Result switch
            {
                null => JValue.CreateNull(),
                JToken token => token,
                JsonElement element => JToken.Parse(element.GetRawText()),
                var other => JToken.FromObject(other),
            };
        }

        return json.ToString(Formatting.None);
    }
}
