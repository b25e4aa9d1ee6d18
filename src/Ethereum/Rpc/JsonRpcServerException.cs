using System.Text.Json;

namespace Settlement.Ethereum.Rpc;

/// <summary>The node answered with a JSON-RPC error object.</summary>
public sealed class JsonRpcServerException : JsonRpcException
{
    // -32005 "limit exceeded" (EIP-1474) and -32603 with rate limiting are the only codes worth repeating;
    // everything else describes the request itself.
    private const int LimitExceeded = -32005;

    internal JsonRpcServerException(string? method, int code, string nodeMessage, string? dataJson, byte[]? revertData)
        : base(BuildMessage(method, code, nodeMessage, revertData), method, innerException: null)
    {
        ErrorCode = code;
        NodeMessage = nodeMessage;
        DataJson = dataJson;
        RevertBytes = revertData;
        DecodedReason = Describe(revertData);
    }

    /// <summary>The node's error message, unchanged.</summary>
    public string NodeMessage { get; }

    /// <summary>The raw JSON of the error's <c>data</c> member, if present.</summary>
    public string? DataJson { get; }

    /// <summary>The JSON-RPC error code.</summary>
    public int ErrorCode { get; }

    /// <inheritdoc />
    public override int? Code => ErrorCode;

    /// <inheritdoc />
    public override bool IsTransient => ErrorCode == LimitExceeded;

    /// <inheritdoc />
    /// <remarks>Null when the node returned no revert bytes (a null <c>byte[]</c>, or a bare <c>null</c> in a conditional, converts to an empty memory, not to null).</remarks>
    public override ReadOnlyMemory<byte>? RevertData => RevertBytes is { } bytes ? new ReadOnlyMemory<byte>(bytes) : (ReadOnlyMemory<byte>?)null;

    /// <inheritdoc />
    public override string? RevertReason => DecodedReason;

    /// <summary>True when the node reports an execution revert (it returned revert data or says so).</summary>
    public bool IsRevert => RevertBytes is not null || NodeMessage.Contains("revert", StringComparison.OrdinalIgnoreCase);

    private byte[]? RevertBytes { get; }

    private string? DecodedReason { get; }

    internal static JsonRpcServerException FromError(string? method, JsonElement error)
    {
        var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : 0;
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : string.Empty;
        string? dataJson = null;
        byte[]? revert = null;
        if (error.TryGetProperty("data", out var data))
        {
            dataJson = data.GetRawText();
            revert = FindRevertData(data);
        }

        return new JsonRpcServerException(method, code, message, dataJson, revert);
    }

    // Anvil and geth put the revert bytes in "data" as a hex string; Hardhat nests them as
    // {"message": …, "data": "0x…"}.
    private static byte[]? FindRevertData(JsonElement data)
    {
        if (data.ValueKind == JsonValueKind.String)
        {
            var text = data.GetString();
            return text is not null && Encoding.Hex.HasPrefix(text) && Encoding.Hex.TryDecode(text, out var bytes) ? bytes : null;
        }

        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("data", out var inner))
        {
            return FindRevertData(inner);
        }

        return null;
    }

    private static string? Describe(byte[]? revertData)
    {
        if (revertData is null || !Abi.RevertReason.TryDecode(revertData, null, out var reason))
        {
            return null;
        }

        return reason.Kind == Abi.RevertReasonKind.Error ? reason.Message : reason.ToString();
    }

    private static string BuildMessage(string? method, int code, string nodeMessage, byte[]? revertData)
    {
        var reason = Describe(revertData);
        var text = $"{method ?? "JSON-RPC request"} failed with error {code}: {nodeMessage}";
        return reason is null ? text : $"{text} (revert reason: {reason})";
    }
}
