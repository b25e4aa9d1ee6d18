using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Auth;

/// <summary>
/// Discovery document and JWKS of one bank, fetched on first use and cached. An unknown kid
/// triggers one JWKS refresh (key rotation), at most once per <see cref="RefreshInterval"/>.
/// </summary>
internal sealed class BankMetadata : IDisposable
{
    private readonly string _bank;
    private readonly Uri _authority;
    private readonly Func<HttpClient> _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OidcDiscovery? _discovery;
    private Dictionary<string, RSA> _keys = new(StringComparer.Ordinal);
    private DateTimeOffset _keysFetchedAt = DateTimeOffset.MinValue;

    public BankMetadata(string bank, Uri authority, Func<HttpClient> http, TimeProvider time, ILogger logger)
    {
        _bank = bank;
        _authority = authority;
        _http = http;
        _time = time;
        _logger = logger;
    }

    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    public async ValueTask<OidcDiscovery> GetDiscoveryAsync(CancellationToken ct)
    {
        if (_discovery is { } d)
        {
            return d;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_discovery is null)
            {
                var url = new Uri(_authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");
                using var doc = await GetJsonAsync(url, ct).ConfigureAwait(false);
                var root = doc.RootElement;
                Uri Need(string name) =>
                    root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && Uri.TryCreate(v.GetString(), UriKind.Absolute, out var u)
                        ? u
                        : throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, $"discovery document lacks '{name}'", null, null);
                var discovery = new OidcDiscovery(Need("issuer"), Need("authorization_endpoint"), Need("token_endpoint"), Need("jwks_uri"))
                {
                    BackchannelAuthenticationEndpoint = root.TryGetProperty("backchannel_authentication_endpoint", out var bc) && bc.ValueKind == JsonValueKind.String
                        && Uri.TryCreate(bc.GetString(), UriKind.Absolute, out var bcUri) ? bcUri : null,
                    CibaGrantSupported = root.TryGetProperty("grant_types_supported", out var grants) && grants.ValueKind == JsonValueKind.Array
                        && grants.EnumerateArray().Any(g => g.ValueKind == JsonValueKind.String && g.GetString() == BankTokenProvider.CibaGrantType),
                };
                if (!string.Equals(discovery.Issuer.AbsoluteUri.TrimEnd('/'), _authority.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal))
                {
                    throw new BankResponseInvalidException(_bank, BankResponseProblem.ResourceMismatch,
                        $"discovery issuer '{discovery.Issuer}' differs from the configured authority '{_authority}'", null, null);
                }

                _discovery = discovery;
            }

            return _discovery;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The bank's public key for <paramref name="kid"/>, or null when it does not publish one.</summary>
    public async ValueTask<RSA?> ResolveKeyAsync(string kid, CancellationToken ct)
    {
        if (_keys.TryGetValue(kid, out var key))
        {
            return key;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_keys.TryGetValue(kid, out key))
            {
                return key;
            }

            if (_time.GetUtcNow() - _keysFetchedAt < RefreshInterval)
            {
                return null;
            }
        }
        finally
        {
            _gate.Release();
        }

        var discovery = await GetDiscoveryAsync(ct).ConfigureAwait(false);
        using var doc = await GetJsonAsync(discovery.JwksUri, ct).ConfigureAwait(false);
        var fresh = ParseJwks(doc.RootElement);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var old = _keys;
            _keys = fresh;
            _keysFetchedAt = _time.GetUtcNow();
            _logger.LogInformation("Bank {Bank}: JWKS loaded, {Count} signing keys", _bank, fresh.Count);
            // Old RSA objects may still be in use by a concurrent verification: let the GC collect them.
            _ = old;
            return fresh.GetValueOrDefault(kid);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        foreach (var k in _keys.Values)
        {
            k.Dispose();
        }
    }

    internal static Dictionary<string, RSA> ParseJwks(JsonElement root)
    {
        var result = new Dictionary<string, RSA>(StringComparer.Ordinal);
        if (!root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var k in keys.EnumerateArray())
        {
            if (k.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            string? S(string n) => k.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (S("kty") != "RSA" || S("kid") is not { Length: > 0 } kid || (S("use") is { } use && use != "sig"))
            {
                continue;
            }

            if (!Base64Url.TryDecode(S("n"), out var n) || !Base64Url.TryDecode(S("e"), out var e))
            {
                continue;
            }

            var rsa = RSA.Create();
            try
            {
                rsa.ImportParameters(new RSAParameters { Modulus = n, Exponent = e });
                result[kid] = rsa;
            }
            catch (CryptographicException)
            {
                rsa.Dispose();
            }
        }

        return result;
    }

    private async Task<JsonDocument> GetJsonAsync(Uri url, CancellationToken ct)
    {
        try
        {
            using var response = await _http().GetAsync(url, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw (int)response.StatusCode >= 500
                    ? new BankServerErrorException(_bank, response.StatusCode, null, null)
                    : new BankRequestRejectedException(_bank, $"GET {url.AbsolutePath} refused", response.StatusCode, null, null);
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);

            // Checked up front: System.Text.Json parses a string holding invalid UTF-8 without complaint and throws
            // InvalidOperationException only when the string is read (GetString), which must not escape here.
            if (!Utf8.IsValid(bytes))
            {
                throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, $"{url.AbsolutePath} is not UTF-8", null, null);
            }

            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new BankResponseInvalidException(_bank, BankResponseProblem.Malformed, $"{url.AbsolutePath} is not JSON", null, null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new BankTransportException(_bank, $"GET {url.AbsolutePath} failed: {ex.HttpRequestError}", requestSent: false, null, ex);
        }
    }
}
