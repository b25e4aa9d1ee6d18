using Settlement.BankSandbox;
using Settlement.BankSandbox.Validation;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.IntegrationTests.Contract;

/// <summary>
/// Every PIS request the connector sent and every answer the sandbox gave during full top-ups and
/// payouts, validated against the OBIE OpenAPI files with a schema validator (NJsonSchema, through
/// the sandbox's <see cref="OpenApiSchemaValidator"/>).
/// </summary>
public sealed class OpenApiContractTests
{
    [Theory]
    [InlineData(ObieVersion.V3_1_11, PisVersion.V3)]
    [InlineData(ObieVersion.V4_0, PisVersion.V4)]
    public async Task TopupAndPayout_AllPisExchanges_ValidAgainstOpenApi(ObieVersion version, PisVersion spec)
    {
        await using var bank = await SandboxBank.StartAsync(version, platformBalance: 10_000);
        var topup = await bank.Transfers.StartTopupAsync(new TransferRequest
        {
            Bank = SandboxBank.BankName, AmountMinor = 1_234, Reference = "CONTRACT",
            Counterparty = new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer"),
        }, CancellationToken.None);
        var payout = await bank.Transfers.StartPayoutAsync(new TransferRequest
        {
            Bank = SandboxBank.BankName, AmountMinor = 999,
            Counterparty = new AccountIdentification("UK.OBIE.SortCodeAccountNumber", SandboxBank.Merchant, "Merchant"),
        }, CancellationToken.None);
        (await bank.DriveAsync(topup.Id)).State.ShouldBe(TransferState.Completed);
        (await bank.DriveAsync(payout.Id)).State.ShouldBe(TransferState.Completed);
        var client = bank.Clients.Get(SandboxBank.BankName);
        await client.GetPaymentDetailsAsync(topup.PaymentId!, CancellationToken.None);
        await client.GetConsentAsync(payout.ConsentId!, CancellationToken.None);

        var validator = OpenApiSchemaValidator.For(spec);
        var pis = bank.Exchanges.Where(e => e.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal)).ToList();
        pis.Select(e => Operation(e)).Distinct().Count().ShouldBeGreaterThanOrEqualTo(5);
        var problems = new List<string>();
        foreach (var e in pis)
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
    }

    [Fact]
    public void Validator_ConnectorBodyWithAmountBroken_Rejected()
    {
        // The validator is a real one: a body the connector would never send fails.
        var instruction = new PaymentInstruction("i", "e", new Money(100, "GBP"), new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "1", "n"), null, null);
        var good = System.Text.Encoding.UTF8.GetString(PisDialects.V4.ConsentRequest(instruction));
        var validator = OpenApiSchemaValidator.For(PisVersion.V4);
        validator.ValidateRequest("POST", "/domestic-payment-consents", good).IsValid.ShouldBeTrue();
        validator.ValidateRequest("POST", "/domestic-payment-consents", good.Replace("\"1.00\"", "1.00", StringComparison.Ordinal)).IsValid.ShouldBeFalse();
    }

    private static string Operation(Exchange e)
    {
        var path = e.Uri.AbsolutePath;
        var parts = path[(path.IndexOf("/pisp/", StringComparison.Ordinal) + 6)..].Split('/');
        return e.Method + " " + parts[0] + (parts.Length > 2 ? "/" + parts[2] : parts.Length > 1 ? "/{id}" : "");
    }
}
