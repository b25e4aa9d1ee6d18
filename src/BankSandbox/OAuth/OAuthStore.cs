using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Settlement.BankSandbox.OAuth;

internal enum TokenKind
{
    ClientCredentials,
    AuthorizationCode,
}

/// <summary>An issued access token: which client, which grant, which consent (code grant), until when.</summary>
internal sealed record AccessToken(string ClientId, TokenKind Kind, string Scope, string? ConsentId, DateTimeOffset Expires);

/// <summary>An issued authorisation code (single use).</summary>
internal sealed record AuthorizationCode(string ClientId, string ConsentId, string RedirectUri, string CodeChallenge, string? Nonce, DateTimeOffset Expires);

/// <summary>A decoupled (CIBA, poll mode) authorisation request: the customer's answer is applied at <c>DecideAt</c>.</summary>
internal sealed record BackchannelRequest(string ClientId, string ConsentId, bool Approve, string? Debtor, DateTimeOffset DecideAt, DateTimeOffset Expires);

/// <summary>Opaque tokens, codes and used client-assertion jtis.</summary>
internal sealed class OAuthStore
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, AccessToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Client, string Jti), DateTimeOffset> _jtis = new();
    private readonly ConcurrentDictionary<string, BackchannelRequest> _backchannel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ClientId, string ConsentId)> _refresh = new(StringComparer.Ordinal);

    /// <summary>A refresh token for a long-lived (VRP) consent: valid as long as the consent is Authorised.</summary>
    public string IssueRefresh(string clientId, string consentId)
    {
        var value = NewOpaque();
        _refresh[value] = (clientId, consentId);
        return value;
    }

    /// <summary>The client and consent a refresh token was issued for, or null.</summary>
    public (string ClientId, string ConsentId)? FindRefresh(string? value) =>
        value is not null && _refresh.TryGetValue(value, out var r) ? r : null;

    public static readonly TimeSpan BackchannelLifetime = TimeSpan.FromMinutes(10);

    public string IssueBackchannel(BackchannelRequest request)
    {
        var id = NewOpaque();
        _backchannel[id] = request;
        return id;
    }

    public BackchannelRequest? FindBackchannel(string? id) => id is not null && _backchannel.TryGetValue(id, out var r) ? r : null;

    public void RemoveBackchannel(string id) => _backchannel.TryRemove(id, out _);

    public static string NewOpaque() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Issue(AccessToken token)
    {
        var value = NewOpaque();
        _tokens[value] = token;
        return value;
    }

    public AccessToken? Find(string? value, DateTimeOffset now) =>
        value is not null && _tokens.TryGetValue(value, out var t) && t.Expires > now ? t : null;

    public string IssueCode(AuthorizationCode code)
    {
        var value = NewOpaque();
        _codes[value] = code;
        return value;
    }

    /// <summary>Takes the code (it is gone afterwards, used or not).</summary>
    public AuthorizationCode? RedeemCode(string? value, DateTimeOffset now) =>
        value is not null && _codes.TryRemove(value, out var c) && c.Expires > now ? c : null;

    /// <summary>Records a client assertion's jti; false when it was seen before (replay).</summary>
    public bool TryUseJti(string clientId, string jti, DateTimeOffset expires) => _jtis.TryAdd((clientId, jti), expires);
}
