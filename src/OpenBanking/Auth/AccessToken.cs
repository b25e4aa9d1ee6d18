namespace Settlement.OpenBanking.Auth;

/// <summary>A bearer token. <see cref="ToString"/> never reveals it.</summary>
public sealed class AccessToken
{
    internal AccessToken(string value, DateTimeOffset expiresOn)
    {
        Value = value;
        ExpiresOn = expiresOn;
    }

    internal string Value { get; }

    /// <summary>When the token expires.</summary>
    public DateTimeOffset ExpiresOn { get; }

    /// <inheritdoc />
    public override string ToString() => $"AccessToken(expires {ExpiresOn:O})";
}
