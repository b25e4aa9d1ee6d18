namespace Settlement.Channels.Payer.Closing;

/// <summary>The payee signed nothing, or its answer could not be read.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Reason">The payee's reason (<c>agreementPending</c>, <c>nothingToClose</c>, … docs/payee.md), or <c>malformedAnswer</c>.</param>
public sealed record PayeeRefusedClose(int StatusCode, string Reason) : PayeeCloseAnswer
{
    /// <summary>The reason given for an answer that is not a close agreement the SDK can read.</summary>
    public const string MalformedAnswer = "malformedAnswer";
}
