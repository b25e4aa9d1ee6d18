using Settlement.OpenBanking.Errors;
using Settlement.OpenBanking.Pis;
using Settlement.OpenBanking.Tests.Support;

namespace Settlement.OpenBanking.Tests.Pis;

public sealed class CircuitBreakerTests
{
    private static readonly PaymentInstruction Instruction = new("i", "e", new Money(100, "GBP"),
        new AccountIdentification("UK.OBIE.SortCodeAccountNumber", "04000412345678", "Platform"), null, null);

    [Fact]
    public async Task FailingBank_CircuitOpens_CallsStopReachingItOtherBankUnaffected()
    {
        using var t = new TestConnector(configure: o =>
        {
            o.MaxRetries = 0;
            o.CircuitMinimumThroughput = 2;
            o.CircuitFailureRatio = 0.5;
            o.CircuitBreakDuration = TimeSpan.FromSeconds(30);
        }, extraBanks: ["beta"]);
        var acme = t.Clients.Get("acme");
        for (var i = 0; i < 2; i++)
        {
            t.Bank.Faults.Enqueue(r => r.Method == "POST" && r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal) ? t.Bank.Error(500, "UK.OBIE.UnexpectedError") : null);
            await Should.ThrowAsync<BankServerErrorException>(() => acme.CreateConsentAsync(Instruction, $"k{i}", CancellationToken.None));
        }

        var posts = t.Bank.Requests.Count(r => r.Method == "POST" && r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal));
        var open = await Should.ThrowAsync<BankUnavailableException>(() => acme.CreateConsentAsync(Instruction, "k3", CancellationToken.None));
        open.IsTransient.ShouldBeTrue();
        t.Bank.Requests.Count(r => r.Method == "POST" && r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal)).ShouldBe(posts);

        // Another bank has its own breaker, token cache and spec version.
        var beta = t.Clients.Get("beta");
        (await beta.CreateConsentAsync(Instruction, "b1", CancellationToken.None)).Status.Code.ShouldBe("AWAU");

        // After the break the circuit lets a trial call through.
        t.Time.Advance(TimeSpan.FromSeconds(31));
        (await acme.CreateConsentAsync(Instruction, "k4", CancellationToken.None)).Status.Code.ShouldBe("AwaitingAuthorisation");
    }

    [Fact]
    public async Task ClientErrors_DoNotOpenCircuit()
    {
        using var t = new TestConnector(configure: o =>
        {
            o.MaxRetries = 0;
            o.CircuitMinimumThroughput = 2;
        });
        var acme = t.Clients.Get("acme");
        for (var i = 0; i < 4; i++)
        {
            t.Bank.Faults.Enqueue(r => r.Method == "POST" && r.Uri.AbsolutePath.Contains("/pisp/", StringComparison.Ordinal) ? t.Bank.Error(400, "UK.OBIE.Field.Invalid") : null);
            await Should.ThrowAsync<BankRequestRejectedException>(() => acme.CreateConsentAsync(Instruction, $"k{i}", CancellationToken.None));
        }

        (await acme.CreateConsentAsync(Instruction, "ok", CancellationToken.None)).ConsentId.ShouldNotBeNullOrEmpty();
    }
}
