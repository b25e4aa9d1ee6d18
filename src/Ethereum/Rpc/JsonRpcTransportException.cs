namespace Settlement.Ethereum.Rpc;

/// <summary>
/// The request did not produce a JSON-RPC answer: connection failure, HTTP error status, timeout,
/// or a body that is not a valid JSON-RPC response.
/// </summary>
public sealed class JsonRpcTransportException : JsonRpcException
{
    internal JsonRpcTransportException(string message, string? method, bool isTransient, int? httpStatus = null, Exception? innerException = null)
        : base(message, method, innerException)
    {
        Transient = isTransient;
        HttpStatusCode = httpStatus;
    }

    /// <summary>The HTTP status code, when the server answered with one.</summary>
    public int? HttpStatusCode { get; }

    /// <inheritdoc />
    public override bool IsTransient => Transient;

    private bool Transient { get; }
}
