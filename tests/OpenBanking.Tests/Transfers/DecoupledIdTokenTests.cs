using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Settlement.OpenBanking.Auth;
using Settlement.OpenBanking.Configuration;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// The ID token of an approved decoupled (CIBA poll mode) authorisation is verified before its access
/// token is used, with the CIBA binding (<see cref="IdTokenVerifier.BackchannelBinding"/>): the common
/// checks, openbanking_intent_id = the transfer's consent, the auth_req_id claim = the one polled and
/// at_hash when present, no nonce. A refusal ends the transfer <c>Failed</c> (event <c>id-token-refused</c>
/// with the exact reason), with no token saved, no pending authorisation left and nothing sent afterwards.
/// </summary>
public sealed class DecoupledIdTokenTests
{
    private const string Refusal = "ID token refused: {0}; its access token was not used, nothing was paid: start a new transfer (it gets a new consent)";
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task Approved_IdTokenNamesThePolledRequestAndTheConsent_AcceptedAndPaid()
    {
        using var t = Connector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);
        var authReqId = op.Decoupled!.AuthReqId;

        var done = await ApproveAsync(t, op);

        done.State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
        var claims = IssuedIdToken(t);
        claims.GetClaim(IdTokenVerifier.AuthReqIdClaim).Value.ShouldBe(authReqId);
        claims.GetClaim("openbanking_intent_id").Value.ShouldBe(op.ConsentId);
        claims.TryGetClaim("nonce", out _).ShouldBeFalse();
        claims.GetClaim("at_hash").Value.ShouldBe(IdTokenVerifier.HalfHash(IssuedAccessToken(t)));
    }

    [Fact]
    public async Task Approved_PollModeTokenWithoutAuthReqIdClaimOrAtHash_Accepted()
    {
        // CIBA Core 1.0 asks for these claims only in push mode (10.3.1); a poll-mode bank may leave them out.
        using var t = Connector();
        t.Bank.IdTokenEdit = c =>
        {
            c.Remove(IdTokenVerifier.AuthReqIdClaim);
            c.Remove("at_hash");
        };
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        (await ApproveAsync(t, op)).State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "no-id-token", "id_token missing from the token response" },
        { "other-auth_req_id", "id_token urn:openid:params:jwt:claim:auth_req_id names another decoupled authorisation" },
        { "auth_req_id-number", "id_token urn:openid:params:jwt:claim:auth_req_id names another decoupled authorisation" },
        { "no-intent", "id_token openbanking_intent_id missing" },
        { "other-intent", "id_token openbanking_intent_id names another consent" },
        { "other-at_hash", "id_token at_hash does not match" },
        { "rt_hash-no-refresh", "id_token urn:openid:params:jwt:claim:rt_hash present but no refresh token was returned" },
        { "other-aud", "id_token aud does not include this client" },
        { "expired", "id_token expired" },
        { "foreign-key", "id_token signature does not verify with the bank's key" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Approved_IdTokenRefused_FailedWithExactReasonNoTokenStoredNothingSentAfter(string how, string reason)
    {
        using var t = Connector();
        using var foreign = SigningKey.Generate(t.Bank.Key.KeyId);
        Break(t, how, foreign);
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        var done = await ApproveAsync(t, op);

        done.State.ShouldBe(TransferState.Failed);
        done.LastError.ShouldBe(string.Format(System.Globalization.CultureInfo.InvariantCulture, Refusal, reason));
        await ShouldBeRefusedAsync(t, op.Id, reason);
        t.Logs.Lines.ShouldContain(l => l.Contains($"ID token of the decoupled authorisation of consent {op.ConsentId} refused: {reason}", StringComparison.Ordinal));
        t.Logs.Lines.ShouldNotContain(l => l.Contains("secret-access-token", StringComparison.Ordinal));

        // Final: later advances and a resume send nothing more (no further poll, no payment).
        var requests = t.Bank.Requests.Count;
        t.Time.Advance(TimeSpan.FromSeconds(10));
        (await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None)).State.ShouldBe(TransferState.Failed);
        await t.Transfers.ResumeAsync(CancellationToken.None);
        t.Bank.Requests.Count.ShouldBe(requests);
        await ShouldBeRefusedAsync(t, op.Id, reason);
    }

    [Fact]
    public async Task PisClient_IdTokenOfAnotherRequest_ThrowsIdTokenInvalidNoTokenReturned()
    {
        using var t = Connector();
        t.Bank.IdTokenEdit = c => c[IdTokenVerifier.AuthReqIdClaim] = "req-of-another-authorisation";
        var client = t.Clients.Get("acme");
        var (consent, pending) = await StartApprovedAsync(t, client);

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => client.PollDecoupledAuthorizationAsync(consent.ConsentId, pending, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.IdTokenInvalid);
        ex.Detail.ShouldBe("id_token urn:openid:params:jwt:claim:auth_req_id names another decoupled authorisation");
        ex.IsTransient.ShouldBeFalse();
        ex.ToString().ShouldNotContain("secret-access-token");
    }

    [Fact]
    public async Task PisClient_ConsentOtherThanTheOneAuthorised_IntentRefused()
    {
        using var t = Connector();
        var client = t.Clients.Get("acme");
        var (consent, pending) = await StartApprovedAsync(t, client);

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => client.PollDecoupledAuthorizationAsync("consent-of-another-transfer", pending, CancellationToken.None));

        ex.Detail.ShouldBe("id_token openbanking_intent_id names another consent");
    }

    [Fact]
    public async Task PisClient_Approved_ResultCarriesTheTokenButNotTheIdTokenOrRefreshToken()
    {
        using var t = Connector();
        var client = t.Clients.Get("acme");
        var (consent, pending) = await StartApprovedAsync(t, client);

        var result = await client.PollDecoupledAuthorizationAsync(consent.ConsentId, pending, CancellationToken.None);

        result.Outcome.ShouldBe(DecoupledPollOutcome.Authorised);
        result.Token!.Value.ShouldBe(IssuedAccessToken(t));
        result.IdToken.ShouldBeNull();
        result.RefreshToken.ShouldBeNull();
        result.ToString().ShouldNotContain(result.Token.Value);
    }

    /// <summary>A consent of 1.00 GBP whose decoupled authorisation the bank approves at the next poll, due now.</summary>
    private static async Task<(PaymentConsent Consent, DecoupledAuthorization Pending)> StartApprovedAsync(TestConnector t, PisClient client)
    {
        var consent = await client.CreateConsentAsync(new PaymentInstruction("instr-1", "e2e-1", new Money(100, "GBP"), client.PlatformAccount, null, "REF"), "key-c", CancellationToken.None);
        var pending = await client.StartDecoupledAuthorizationAsync(consent.ConsentId, CancellationToken.None);
        t.Time.Advance(pending.Interval);
        t.Bank.CibaAnswers.Enqueue("approve");
        return (consent, pending);
    }

    private static async Task<TransferOperation> ApproveAsync(TestConnector t, TransferOperation op)
    {
        t.Time.Advance(op.Decoupled!.Interval);
        t.Bank.CibaAnswers.Enqueue("approve");
        return await t.Transfers.AdvanceAsync(op.Id, CancellationToken.None);
    }

    private static async Task ShouldBeRefusedAsync(TestConnector t, Guid id, string reason)
    {
        var stored = (await t.Transfers.GetAsync(id, CancellationToken.None))!;
        stored.State.ShouldBe(TransferState.Failed);
        stored.ConsentToken.ShouldBeNull();
        stored.Decoupled.ShouldBeNull();
        stored.AwaitingDecoupledAuthorisation.ShouldBeFalse();
        stored.PaymentId.ShouldBeNull();
        t.ShouldHaveRequestedNoPayment();
        var history = await t.Transfers.GetHistoryAsync(id, CancellationToken.None);
        history.Select(h => h.Event).ShouldBe(["created", "consent-created-decoupled", "id-token-refused"]);
        (history[^1].Event, history[^1].Detail, history[^1].To).ShouldBe(("id-token-refused", reason, TransferState.Failed));

        // Nothing of the refused answer's access token, nor the auth_req_id, reached the file.
        t.CountStoredTransfers("consent_token IS NOT NULL OR decoupled_json IS NOT NULL").ShouldBe(0);
    }

    private static void Break(TestConnector t, string how, SigningKey foreign)
    {
        switch (how)
        {
            case "no-id-token":
                t.Bank.CibaWithoutIdToken = true;
                break;
            case "other-auth_req_id":
                t.Bank.IdTokenEdit = c => c[IdTokenVerifier.AuthReqIdClaim] = "req-of-another-authorisation";
                break;
            case "auth_req_id-number":
                t.Bank.IdTokenEdit = c => c[IdTokenVerifier.AuthReqIdClaim] = 1;
                break;
            case "no-intent":
                t.Bank.IdTokenEdit = c => c.Remove("openbanking_intent_id");
                break;
            case "other-intent":
                t.Bank.IdTokenEdit = c => c["openbanking_intent_id"] = "consent-of-another-transfer";
                break;
            case "other-at_hash":
                t.Bank.IdTokenEdit = c => c["at_hash"] = IdTokenVerifier.HalfHash("another-access-token");
                break;
            case "rt_hash-no-refresh":
                t.Bank.IdTokenEdit = c => c[IdTokenVerifier.RtHashClaim] = IdTokenVerifier.HalfHash("a-refresh-token");
                break;
            case "other-aud":
                t.Bank.IdTokenEdit = c => c["aud"] = "another-client";
                break;
            case "expired":
                t.Bank.IdTokenEdit = c => c["exp"] = t.Time.GetUtcNow().AddMinutes(-6).ToUnixTimeSeconds();
                break;
            case "foreign-key":
                t.Bank.IdTokenSigner = foreign;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(how));
        }
    }

    /// <summary>The ID token of the (single) approved CIBA poll, as the bank sent it.</summary>
    private static JsonWebToken IssuedIdToken(TestConnector t) => new((string)TokenAnswer(t)["id_token"]!);

    private static string IssuedAccessToken(TestConnector t) => (string)TokenAnswer(t)["access_token"]!;

    private static JsonObject TokenAnswer(TestConnector t) => t.Bank.CibaTokenAnswers.Single();

    private static TestConnector Connector()
    {
        var t = new TestConnector(configure: b => b.AuthorizationMode = AuthorizationMode.Decoupled);
        t.Bank.Ciba = true;
        return t;
    }

    private static TransferRequest Request() => new() { Bank = "acme", AmountMinor = 700, Counterparty = Customer };
}
