namespace Settlement.OpenBanking.Errors;

/// <summary>
/// Token or consent-authorisation failure: the customer declined (<c>access_denied</c>), the
/// authorisation answer did not match the request (state), or the token endpoint refused the client.
/// </summary>
public sealed class BankAuthorizationException : BankApiException
{
    internal BankAuthorizationException(string bank, string error, string message, bool isTransient = false, Exception? inner = null)
        : base(bank, $"{error}: {message}", null, null, [error], inner)
    {
        Error = error;
        _transient = isTransient;
    }

    private readonly bool _transient;

    /// <summary>The OAuth2 error code (<c>access_denied</c>, <c>invalid_client</c>, <c>state_mismatch</c>, …).</summary>
    public string Error { get; }

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}
