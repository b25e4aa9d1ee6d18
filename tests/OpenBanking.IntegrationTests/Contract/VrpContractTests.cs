using Settlement.BankSandbox.Validation;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Vrp;

namespace Settlement.OpenBanking.IntegrationTests.Contract;

/// <summary>
/// Every VRP request the connector sent and every answer the sandbox gave during a consent, its authorisation, funds
/// confirmation, sweeps, a limit refusal and revocation, validated against the OBIE VRP v4.0 OpenAPI file.
/// </summary>
public sealed class VrpContractTests
{
    [Fact]
    public async Task SweepLifecycle_AllVrpExchanges_ValidAgainstOpenApi()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0);
        var terms = new VrpConsentTerms(5_000,
            [new VrpPeriodicLimit(VrpPeriodType.Week, VrpPeriodAlignment.Calendar, 6_000), new VrpPeriodicLimit(VrpPeriodType.Month, VrpPeriodAlignment.Consent, 50_000)],
            ValidTo: DateTimeOffset.UtcNow.AddDays(30),
            Debtor: new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer"));
        var setup = await bank.Sweeps.CreateConsentAsync(SandboxBank.BankName, terms, "contract-consent", CancellationToken.None);
        var consent = await bank.Sweeps.AuthorizeHeadlessAsync(setup, CancellationToken.None);
        (await bank.Sweeps.StartSweepAsync(consent.ConsentId, "contract-1", 5_000, CancellationToken.None)).Kind.ShouldBe(SweepOutcomeKind.Started);
        var vrp = bank.Clients.GetVrp(SandboxBank.BankName);

        // The bank's own refusal (the week's £60 would be exceeded): a 400 body to validate too.
        var atBank = await vrp.GetConsentAsync(consent.ConsentId, CancellationToken.None);
        var tokens = await vrp.RefreshAsync(new VrpConsentTokens(new Auth.AccessToken("x", DateTimeOffset.MinValue), await RefreshTokenAsync(bank, consent.ConsentId)), CancellationToken.None);
        (await vrp.ConfirmFundsAsync(consent.ConsentId, 1_000, tokens, null, CancellationToken.None)).Available.ShouldBe(true);
        (await vrp.SubmitPaymentAsync(atBank, 1_001, "contract-direct", tokens, "contract-direct", null, CancellationToken.None)).IsLimitRefusal.ShouldBeTrue();
        bank.AdvanceBank(TimeSpan.FromSeconds(3));
        (await bank.Sweeps.AdvanceSweepAsync("contract-1", CancellationToken.None)).State.ShouldBe(SweepState.Completed);
        await bank.Sweeps.RevokeConsentAsync(consent.ConsentId, CancellationToken.None);

        var validator = OpenApiSchemaValidator.Vrp;
        var exchanges = bank.Exchanges.Where(e => e.Uri.AbsolutePath.Contains("/domestic-vrp", StringComparison.Ordinal)).ToList();
        exchanges.Select(e => e.Method + " " + validator.ResponseSchemaName(e.Method, e.Uri.AbsolutePath, e.Status)).Distinct().Count().ShouldBeGreaterThanOrEqualTo(5);
        var problems = new List<string>();
        foreach (var e in exchanges)
        {
            if (e.RequestBody is not null)
            {
                var request = validator.ValidateRequest(e.Method, e.Uri.AbsolutePath, e.RequestBody);
                request.SchemaName.ShouldNotBeNull();
                if (!request.IsValid)
                {
                    problems.Add($"request {e.Method} {e.Uri.AbsolutePath}: {request}");
                }
            }

            var response = validator.ValidateResponse(e.Method, e.Uri.AbsolutePath, e.Status, e.ResponseBody);
            if (!response.IsValid)
            {
                problems.Add($"response {e.Status} {e.Method} {e.Uri.AbsolutePath}: {response}");
            }
        }

        problems.ShouldBeEmpty();
        exchanges.Select(e => e.Status).ShouldContain(400);
        exchanges.Select(e => e.Status).ShouldContain(204);
    }

    private static async Task<string> RefreshTokenAsync(SandboxBank bank, string consentId)
    {
        var store = (SqliteVrpSweepStore)bank.Connector!.Services.GetService(typeof(SqliteVrpSweepStore))!;
        return (await store.GetConsentAsync(consentId, CancellationToken.None))!.RefreshToken!;
    }
}
