using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Settlement.BankSandbox.Customer;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.IntegrationTests.Support;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.IntegrationTests.Transfers;

/// <summary>
/// Decoupled (CIBA poll mode) top-ups through the real sandbox, connector and sandbox on one manual clock; the
/// sandbox's CIBA ID token is verified by the connector (auth_req_id claim, intent id, at_hash), and one that
/// names another consent than the one kept with the transfer is refused with nothing moved.
/// </summary>
public sealed class DecoupledAuthorizationTests
{
    private static readonly AccountIdentification CustomerAccount = new("UK.OBIE.SortCodeAccountNumber", SandboxBank.Customer, "Customer");

    [Fact]
    public async Task DecoupledTopup_CustomerApprovesAcrossRestart_MoneyMovedOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V3_1_11, b => b.AuthorizationMode = AuthorizationMode.Decoupled, connectorOnBankClock: true);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 4_200, Counterparty = CustomerAccount, Reference = "CIBA" }, CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);
        op.AwaitingDecoupledAuthorisation.ShouldBeTrue();
        op.AuthorizationUrl.ShouldBeNull();
        bank.Exchanges.ShouldContain(e => e.Uri.AbsolutePath == "/as/bc-authorize");

        // Before the interval has passed nothing is sent; after it the customer has not answered yet.
        var tokenPolls = bank.Exchanges.Count(IsCibaPoll);
        (await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.AwaitingAuthorisation);
        bank.Exchanges.Count(IsCibaPoll).ShouldBe(tokenPolls);
        bank.AdvanceBank(TimeSpan.FromSeconds(1));
        (await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.AwaitingAuthorisation);
        bank.Exchanges.Count(IsCibaPoll).ShouldBe(tokenPolls + 1);

        // Restart while waiting: the auth_req_id comes back from the database and polling continues.
        await bank.RestartConnectorAsync();
        bank.AdvanceBank(TimeSpan.FromSeconds(2));
        var resumed = await bank.Transfers.ResumeAsync(CancellationToken.None);
        resumed.Single(o => o.Id == op.Id).State.ShouldBe(TransferState.PaymentSubmitted);

        var done = await bank.DriveAsync(op.Id);
        done.State.ShouldBe(TransferState.Completed);
        done.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 4_200);
        bank.Balance(SandboxBank.Platform).ShouldBe(4_200);
        bank.Exchanges.Count(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal)).ShouldBe(1);
        (await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Completed);
        bank.Balance(SandboxBank.Platform).ShouldBe(4_200);
    }

    [Fact]
    public async Task DecoupledTopup_CrashAfterTokenIssuedBeforeSaved_FailedNothingMovedNoLoop()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, b => b.AuthorizationMode = AuthorizationMode.Decoupled, connectorOnBankClock: true);
        bank.Checkpoints = new CrashAt(TransferCheckpoint.TokenIssued);
        await bank.RestartConnectorAsync();
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 4_300, Counterparty = CustomerAccount }, CancellationToken.None);
        bank.AdvanceBank(TimeSpan.FromSeconds(3));
        await Should.ThrowAsync<SimulatedCrash>(() => bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None));

        // The token died with the process; the sandbox will not hand it out again (invalid_grant).
        bank.Checkpoints = null;
        await bank.RestartConnectorAsync();
        bank.AdvanceBank(TimeSpan.FromSeconds(10));
        var resumed = (await bank.Transfers.ResumeAsync(CancellationToken.None)).Single();
        resumed.State.ShouldBe(TransferState.Failed);
        resumed.LastError!.ShouldContain("nothing was paid");
        resumed.ConsentStatus.ShouldBe("AUTH");
        (await bank.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).Last().Event.ShouldBe("authorisation-lost");
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(0);
    }

    [Fact]
    public async Task DecoupledTopup_CustomerDeclines_RejectedNothingMoved()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, b => b.AuthorizationMode = AuthorizationMode.Decoupled, connectorOnBankClock: true);
        bank.Host.Customer.SetDefaultDecision(CustomerDecision.Decline);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 900, Counterparty = CustomerAccount }, CancellationToken.None);
        op.State.ShouldBe(TransferState.AwaitingAuthorisation);

        bank.AdvanceBank(TimeSpan.FromSeconds(3));
        var done = await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
        done.State.ShouldBe(TransferState.Rejected);
        done.PaymentId.ShouldBeNull();
        done.LastError!.ShouldContain("declined");
        (await bank.Clients.Get(SandboxBank.BankName).GetConsentAsync(op.ConsentId!, CancellationToken.None)).Status.Kind.ShouldBe(ConsentStatusKind.Rejected);
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(0);
        bank.Exchanges.ShouldNotContain(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DecoupledTopup_SandboxIdTokenNamesThePolledRequestAndConsent_VerifiedAndPaidOnce()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, b => b.AuthorizationMode = AuthorizationMode.Decoupled, connectorOnBankClock: true);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 2_500, Counterparty = CustomerAccount }, CancellationToken.None);
        var authReqId = op.Decoupled!.AuthReqId;

        bank.AdvanceBank(TimeSpan.FromSeconds(3));
        (await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.PaymentSubmitted);
        var done = await bank.DriveAsync(op.Id);

        done.State.ShouldBe(TransferState.Completed);
        (await bank.Transfers.GetHistoryAsync(op.Id, CancellationToken.None)).ShouldContain(h => h.Event == "authorised-decoupled");
        var answer = JsonNode.Parse(bank.Exchanges.Single(e => IsCibaPoll(e) && e.Status == 200).ResponseBody)!;
        var idToken = new JsonWebToken(answer["id_token"]!.GetValue<string>());
        idToken.GetPayloadValue<string>("urn:openid:params:jwt:claim:auth_req_id").ShouldBe(authReqId);
        idToken.GetPayloadValue<string>("openbanking_intent_id").ShouldBe(op.ConsentId);
        idToken.GetPayloadValue<string>("at_hash").ShouldBe(Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(answer["access_token"]!.GetValue<string>()))[..16]));
        idToken.TryGetPayloadValue<string>("nonce", out _).ShouldBeFalse();
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000 - 2_500);
        bank.Balance(SandboxBank.Platform).ShouldBe(2_500);
    }

    [Fact]
    public async Task DecoupledTopup_KeptConsentDiffersFromTheSandboxsIntent_FailedWithReasonNothingMoved()
    {
        await using var bank = await SandboxBank.StartAsync(ObieVersion.V4_0, b => b.AuthorizationMode = AuthorizationMode.Decoupled, connectorOnBankClock: true);
        var op = await bank.Transfers.StartTopupAsync(new TransferRequest { Bank = SandboxBank.BankName, AmountMinor = 2_600, Counterparty = CustomerAccount }, CancellationToken.None);

        // While the connector is down the kept consent id becomes another one: the sandbox's genuine ID token names the real one.
        await bank.StopConnectorAsync();
        bank.OverwriteStoredTransfer(op.Id, "consent_id", "consent-of-another-transfer");

        await bank.RestartConnectorAsync();
        bank.AdvanceBank(TimeSpan.FromSeconds(3));
        var done = await bank.Transfers.AdvanceAsync(op.Id, CancellationToken.None);

        done.State.ShouldBe(TransferState.Failed);
        done.LastError.ShouldBe("ID token refused: id_token openbanking_intent_id names another consent; its access token was not used, nothing was paid: start a new transfer (it gets a new consent)");
        done.ConsentToken.ShouldBeNull();
        done.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        var last = (await bank.Transfers.GetHistoryAsync(op.Id, CancellationToken.None))[^1];
        (last.Event, last.Detail).ShouldBe(("id-token-refused", "id_token openbanking_intent_id names another consent"));
        bank.Exchanges.Count(e => IsCibaPoll(e) && e.Status == 200).ShouldBe(1);
        var polls = bank.Exchanges.Count(IsCibaPoll);
        (await bank.DriveAsync(done.Id)).State.ShouldBe(TransferState.Failed);
        bank.Exchanges.Count(IsCibaPoll).ShouldBe(polls);
        bank.Exchanges.ShouldNotContain(e => e.Method == "POST" && e.Uri.AbsolutePath.EndsWith("/domestic-payments", StringComparison.Ordinal));
        (await bank.Clients.Get(SandboxBank.BankName).GetConsentAsync(op.ConsentId!, CancellationToken.None)).Status.Code.ShouldBe("AUTH");
        bank.Balance(SandboxBank.Customer).ShouldBe(100_000);
        bank.Balance(SandboxBank.Platform).ShouldBe(0);
    }

    private static bool IsCibaPoll(Exchange e) => e.Uri.AbsolutePath == "/as/token" && e.RequestBody?.Contains("grant-type%3Aciba", StringComparison.Ordinal) == true;

    private sealed class SimulatedCrash : Exception;

    private sealed class CrashAt(TransferCheckpoint target) : ITransferCheckpointObserver
    {
        public void OnCheckpoint(Guid operationId, TransferCheckpoint checkpoint)
        {
            if (checkpoint == target)
            {
                throw new SimulatedCrash();
            }
        }
    }
}
