using System.Web;
using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Signing;
using Settlement.OpenBanking.Tests.Support;
using Settlement.OpenBanking.Transfers;

namespace Settlement.OpenBanking.Tests.Transfers;

/// <summary>
/// The ID token of the code exchange is verified before its access token is used (OIDC Core 3.1.3.7,
/// 3.3.2.11): a nonce equal to the one saved with the authorisation request passes; a missing or
/// other nonce, or a signature by another key, ends the transfer <c>Failed</c> with the exact reason,
/// no token saved and no payment sent. The nonce is read from the store, so a restart between the
/// redirect and the callback still checks it.
/// </summary>
public sealed class TransferIdTokenTests
{
    private static readonly AccountIdentification Customer = new("UK.OBIE.SortCodeAccountNumber", "60161331926819", "Customer");

    [Fact]
    public async Task Topup_IdTokenCarriesTheSavedNonce_AcceptedAndPaid()
    {
        using var t = new TestConnector();
        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.PaymentSubmitted);
        t.Bank.PaymentsCreated.ShouldBe(1);
        var (nonce, consentId) = t.Bank.IssuedCodes.Values.Single();
        nonce.ShouldNotBeNullOrEmpty();
        nonce.ShouldBe(op.NonceValue);
        consentId.ShouldBe(op.ConsentId);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "missing", "id_token nonce missing" },
        { "other", "id_token nonce does not match the authorisation request" },
        { "foreign-key", "id_token signature does not verify with the bank's key" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Topup_IdTokenRefused_FailedWithExactReasonNoTokenStoredNothingPaid(string how, string reason)
    {
        using var t = new TestConnector();
        using var foreign = SigningKey.Generate(t.Bank.Key.KeyId);
        Break(t.Bank, how, foreign);

        var op = await t.Transfers.StartTopupAsync(Request(), CancellationToken.None);

        op.State.ShouldBe(TransferState.Failed);
        op.LastError.ShouldBe($"ID token refused: {reason}; its access token was not used, nothing was paid: start a new transfer (it gets a new consent)");
        await ShouldBeRefusedAsync(t, op.Id, reason);
    }

    [Fact]
    public async Task PisClient_IdTokenNonceOfAnotherRequest_ThrowsIdTokenInvalidNoTokenReturned()
    {
        using var t = new TestConnector();
        var client = t.Clients.Get("acme");
        var consent = await client.CreateConsentAsync(new PaymentInstruction("instr-1", "e2e-1", new Money(100, "GBP"), client.PlatformAccount, null, "REF"), "key-c", CancellationToken.None);
        var auth = await client.BuildAuthorizationUrlAsync(consent.ConsentId, CancellationToken.None);
        var code = await client.AuthorizeHeadlessAsync(auth, CancellationToken.None);

        var ex = await Should.ThrowAsync<BankResponseInvalidException>(() => client.CompleteAuthorizationAsync(auth with { Nonce = "nonce-of-another-request" }, code, auth.State, CancellationToken.None));

        ex.Problem.ShouldBe(BankResponseProblem.IdTokenInvalid);
        ex.Detail.ShouldBe("id_token nonce does not match the authorisation request");
        ex.IsTransient.ShouldBeFalse();
        ex.Message.ShouldBe("Bank 'acme': IdTokenInvalid: id_token nonce does not match the authorisation request");
        ex.ToString().ShouldNotContain("secret-access-token");
    }

    [Fact]
    public async Task RedirectBank_RestartBetweenRedirectAndCallback_NonceFromTheStoreAccepted()
    {
        var (bank, time, db) = Shared();
        Uri url;
        using (var before = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time))
        {
            url = (await before.Transfers.StartTopupAsync(Request(), CancellationToken.None)).AuthorizationUrl!;
        }

        var query = await FollowAsync(bank, url);
        using var after = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time);
        var done = await after.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        done.State.ShouldBe(TransferState.PaymentSubmitted);
        bank.PaymentsCreated.ShouldBe(1);
        bank.IssuedCodes[query["code"]!].Nonce.ShouldBe(done.NonceValue);
    }

    [Fact]
    public async Task RedirectBank_RestartBetweenRedirectAndCallback_OtherNonceRefused()
    {
        var (bank, time, db) = Shared();
        Guid id;
        Uri url;
        using (var before = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time))
        {
            var op = await before.Transfers.StartTopupAsync(Request(), CancellationToken.None);
            (id, url) = (op.Id, op.AuthorizationUrl!);
        }

        var query = await FollowAsync(bank, url);
        bank.IdTokenEdit = c => c["nonce"] = "nonce-of-another-request";
        using var after = new TestConnector(configure: o => o.Quirks.HeadlessAuthorization = false, databasePath: db, bank: bank, time: time);
        var done = await after.Transfers.CompleteAuthorizationAsync(query["state"]!, query["code"], null, CancellationToken.None);

        done.State.ShouldBe(TransferState.Failed);
        await ShouldBeRefusedAsync(after, id, "id_token nonce does not match the authorisation request");

        // Final: a later advance sends nothing more.
        var requests = bank.Requests.Count;
        (await after.Transfers.AdvanceAsync(id, CancellationToken.None)).State.ShouldBe(TransferState.Failed);
        bank.Requests.Count.ShouldBe(requests);
    }

    private static async Task ShouldBeRefusedAsync(TestConnector t, Guid id, string reason)
    {
        var stored = (await t.Transfers.GetAsync(id, CancellationToken.None))!;
        stored.State.ShouldBe(TransferState.Failed);
        stored.ConsentToken.ShouldBeNull();
        stored.AuthorizationCode.ShouldBeNull();
        stored.PaymentId.ShouldBeNull();
        t.ShouldHaveRequestedNoPayment();
        var last = (await t.Transfers.GetHistoryAsync(id, CancellationToken.None))[^1];
        (last.Event, last.Detail, last.To).ShouldBe(("id-token-refused", reason, TransferState.Failed));

        // Nothing of the refused answer's access token reached the file.
        t.CountStoredTransfers("consent_token IS NOT NULL").ShouldBe(0);
    }

    private static void Break(FakeBank bank, string how, SigningKey foreign)
    {
        switch (how)
        {
            case "missing":
                bank.IdTokenEdit = c => c.Remove("nonce");
                break;
            case "other":
                bank.IdTokenEdit = c => c["nonce"] = "nonce-of-another-request";
                break;
            case "foreign-key":
                bank.IdTokenSigner = foreign;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(how));
        }
    }

    private static async Task<System.Collections.Specialized.NameValueCollection> FollowAsync(FakeBank bank, Uri url)
    {
        using var http = new HttpClient(bank, disposeHandler: false);
        using var redirect = await http.GetAsync(url);
        return HttpUtility.ParseQueryString(redirect.Headers.Location!.Query);
    }

    private static (FakeBank Bank, Settlement.Testing.TestClock Time, string Db) Shared()
    {
        var time = TestConnector.NewClock();
        return (new FakeBank(time), time, Path.Combine(Directory.CreateTempSubdirectory("ob-idtoken-").FullName, "t.db"));
    }

    private static TransferRequest Request() => new() { Bank = "acme", AmountMinor = 500, Counterparty = Customer };
}
