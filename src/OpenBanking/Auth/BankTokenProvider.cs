using Microsoft.Identity.Client;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Signing;

namespace Settlement.OpenBanking.Auth;

/// <summary>
/// Tokens from one bank through MSAL as a confidential client against the bank's OIDC authority:
/// client credentials (scope <c>payments</c>, cached by MSAL) and the authorisation-code exchange
/// with PKCE for payment submission. Client authentication is <c>private_key_jwt</c> (PS256
/// assertion built here, see TOOLCHAIN notes) or <c>client_secret_post</c>.
/// </summary>
internal sealed class BankTokenProvider
{
    private static readonly string[] ClientScopes = ["payments"];
    private static readonly string[] CodeScopes = ["openid", "payments"];
    private readonly string _bank;
    private readonly IConfidentialClientApplication _app;

    public BankTokenProvider(string bank, BankOptions options, SigningKey signingKey, Func<HttpClient> http, TimeProvider time)
    {
        _bank = bank;
        var builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
            .WithOidcAuthority(options.WellKnownEndpoint!.AbsoluteUri.TrimEnd('/'))
            .WithRedirectUri(options.RedirectUri!.AbsoluteUri)
            .WithHttpClientFactory(new MsalHttpClientFactory(http))
            .WithLogging((_, _, _) => { }, Microsoft.Identity.Client.LogLevel.Error, enablePiiLogging: false, enableDefaultPlatformLogging: false);
        builder = string.IsNullOrEmpty(options.ClientSecret)
            ? builder.WithClientAssertion((AssertionRequestOptions a) =>
                Task.FromResult(ClientAssertion.CreateAssertion(signingKey, options.ClientId, a.TokenEndpoint, time.GetUtcNow())))
            : builder.WithClientSecret(options.ClientSecret);
        _app = builder.Build();
    }

    public async Task<AccessToken> GetClientCredentialsTokenAsync(CancellationToken ct)
    {
        try
        {
            var result = await _app.AcquireTokenForClient(ClientScopes).ExecuteAsync(ct).ConfigureAwait(false);
            return new AccessToken(result.AccessToken, result.ExpiresOn);
        }
        catch (MsalException ex)
        {
            throw Map(ex);
        }
    }

    public async Task<AccessToken> ExchangeCodeAsync(string code, string codeVerifier, CancellationToken ct)
    {
        try
        {
            var result = await _app.AcquireTokenByAuthorizationCode(CodeScopes, code)
                .WithPkceCodeVerifier(codeVerifier)
                .ExecuteAsync(ct).ConfigureAwait(false);
            return new AccessToken(result.AccessToken, result.ExpiresOn);
        }
        catch (MsalException ex)
        {
            throw Map(ex);
        }
    }

    private BankApiException Map(MsalException ex)
    {
        // MSAL messages may quote server responses; keep only the error code and status.
        if (ex is MsalServiceException service)
        {
            var transient = service.StatusCode is >= 500 or 429 or 0 || service.ErrorCode is "request_timeout" or "service_not_available";
            return new BankAuthorizationException(_bank, service.ErrorCode ?? "token_error", $"token endpoint refused (HTTP {service.StatusCode})", transient);
        }

        var clientTransient = ex.ErrorCode is "request_timeout" or "service_not_available" or "network_not_available";
        return new BankAuthorizationException(_bank, ex.ErrorCode ?? "token_error", "token request failed in the client", clientTransient);
    }
}
