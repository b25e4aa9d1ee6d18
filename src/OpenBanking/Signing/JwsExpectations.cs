namespace Settlement.OpenBanking.Signing;

/// <summary>What a verified JWS must also satisfy besides its signature.</summary>
/// <param name="Now">Current time, from the injected clock.</param>
/// <param name="Issuer">Required <c>http://openbanking.org.uk/iss</c>, or null to accept any non-empty issuer.</param>
public sealed record JwsExpectations(DateTimeOffset Now, string? Issuer = null)
{
    /// <summary>Tolerated clock difference for <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}
