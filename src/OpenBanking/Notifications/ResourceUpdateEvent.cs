namespace Settlement.OpenBanking.Notifications;

/// <summary>A verified OBIE <c>urn:uk:org:openbanking:events:resource-update</c> event.</summary>
/// <param name="Jti">The SET's unique id (duplicates are recognised by it).</param>
/// <param name="ResourceId">The resource id (<c>http://openbanking.org.uk/rid</c>), e.g. a DomesticPaymentId.</param>
/// <param name="ResourceType">The resource type (<c>http://openbanking.org.uk/rty</c>), e.g. <c>domestic-payment</c>.</param>
/// <param name="IssuedAt">The SET's <c>iat</c>.</param>
public sealed record ResourceUpdateEvent(string Jti, string ResourceId, string ResourceType, DateTimeOffset IssuedAt);
