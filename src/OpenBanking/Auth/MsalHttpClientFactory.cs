using Microsoft.Identity.Client;

namespace Settlement.OpenBanking.Auth;

/// <summary>Hands MSAL the bank's named HttpClient (trusted sandbox certificate, mTLS client certificate).</summary>
internal sealed class MsalHttpClientFactory(Func<HttpClient> create) : IMsalHttpClientFactory
{
    public HttpClient GetHttpClient() => create();
}
