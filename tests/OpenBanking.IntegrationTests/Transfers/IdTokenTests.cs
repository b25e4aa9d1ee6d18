using System.Text.Json.Nodes;
using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.IntegrationTests.Transfers;

/// <summary>
/// The sandbox's ID token (signed with its published key, carrying the request's nonce) is verified
/// by the connector across a restart between the redirect and the callback; a nonce that differs from
/// the one kept with the transfer is refused and nothing moves. Balances prove what moved.
/// </summary>
public sealed class IdTokenTests
{
    private static readonly AccountIdentification CustomerAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");

    [Fact]
    public async Task RedirectTopup_RestartBeforeCallback_SandboxIdTokenNonceMatchesStoredPaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 1_200, Counterparty = CustomerAccount }, CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);

        await bank.RestartConnectorAsync();
        var query = await CustomerApprovesAsync(bank, op.AuthorizationUrl!);
        var done = await bank.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        (await bank.DriveAsync(done.Id)).State.ShouldBe(TransferState.Completed);
        IdTokenNonce(bank).ShouldBe(op.NonceValue);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 1_200);
        bank.Balance(SandboxBank.Platform).ShouldBe(1_200);
    }

    [Fact]
    public async Task RedirectTopup_StoredNonceDiffersFromTheSandboxs_FailedWithReasonNothingMoved()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, configure: o => o.Quirks.HeadlessAuthorization = false);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 1_200, Counterparty = CustomerAccount }, CancellationToken.None);

        // While the connector is down the kept nonce becomes another one: the sandbox's genuine ID token no longer matches it.
        await bank.StopConnectorAsync();
        bank.OverwriteStoredTransfer(op.Id, "auth_nonce", "nonce-of-another-request");

        await bank.RestartConnectorAsync();
        var query = await CustomerApprovesAsync(bank, op.AuthorizationUrl!);
        var done = await bank.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        done.State.ShouldBe(TransferState.Failed);
        done.LastError.ShouldBe("ID token refused: id_token nonce does not match the authorisation request; its access token was not used, nothing was paid: start a new transfer (it gets a new consent)");
        done.ConsentToken.ShouldBeNull();
        IdTokenNonce(bank).ShouldBe(op.NonceValue);
        (await bank.DriveAsync(done.Id)).State.ShouldBe(TransferState.Failed);
        bank.Exchanges.ShouldNotContain(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal));
        (await bank.Clients.Get(SandboxBank.BankName).GetConsentAsync(op.ConsentId!, CancellationToken.None)).Status.Code.ShouldBe("AUTH");
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(0);
    }

    /// <summary>The customer follows the authorisation URL (the sandbox approves) and the redirect's query comes back.</summary>
    private static async Task<System.Collections.Specialized.NameValueCollection> CustomerApprovesAsync(SandboxBank bank, Uri url)
    {
        var http = bank.Connector!.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openbanking:" + SandboxBank.BankName);
        using var redirect = await http.GetAsync(url);
        return HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
    }

    private static string? IdTokenNonce(SandboxBank bank)
    {
        var exchange = bank.Exchanges.Single(e => e.Uri.AbsolutePath == "/as/token" && e.RequestBody!.Contains("grant_type=authorization_code", StringComparison.Ordinal));
        var idToken = new JsonWebToken(JsonNode.Parse(exchange.ResponseBody)!["id_token"]!.GetValue<string>());
        return idToken.TryGetPayloadValue<string>("nonce", out var nonce) ? nonce : null;
    }
}
