using System.Text.Json;
using Settlement.BankSandbox;
using Settlement.BankSandbox.Accounts;

namespace Settlement.Cli.Tests.Bank;

/// <summary>`l2pay bank topup|payout|status` as processes against an in-process sandbox over HTTPS.</summary>
public sealed class BankTransferVerbTests : IAsyncLifetime
{
    private const string Customer = "60161331926819";
    private const string Platform = "04000412345678";
    private const string Merchant = "20000055555555";
    private readonly string _dir = Directory.CreateTempSubdirectory("l2pay-bank-").FullName;
    private SandboxHost _sandbox = null!;
    private string _pem = null!;

    public async Task InitializeAsync()
    {
        var options = new SandboxOptions { Port = 0, AcceptanceDelay = TimeSpan.FromMilliseconds(100), SettlementDelay = TimeSpan.FromMilliseconds(100), BackgroundInterval = TimeSpan.FromMilliseconds(100) };
        options.Accounts.Add(new SandboxAccount { Identification = Customer, Name = "Customer", BalanceMinor = 100_000 });
        options.Accounts.Add(new SandboxAccount { Identification = Platform, Name = "Platform", BalanceMinor = 0 });
        options.Accounts.Add(new SandboxAccount { Identification = Merchant, Name = "Merchant", BalanceMinor = 0 });
        _sandbox = await SandboxHost.StartAsync(options);
        _pem = Path.Combine(_dir, "sandbox.pem");
        await File.WriteAllTextAsync(_pem, _sandbox.TlsCertificate.ExportCertificatePem());
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task TopupThenPayout_WaitAndRepeat_OneJsonObjectEachMoneyMovedOnce()
    {
        var id = Guid.NewGuid().ToString();
        var topup = await Bank("topup", "--amount", "2500", "--from", Customer, "--operation-id", id, "--wait");
        topup.ExitCode.ShouldBe(0, topup.Stderr);
        topup.Stderr.ShouldBeEmpty();
        var json = Single(topup.Stdout);
        json.GetProperty("state").GetString().ShouldBe("Completed");
        json.GetProperty("amount").GetString().ShouldBe("25.00");
        json.GetProperty("operationId").GetString().ShouldBe(id);
        var paymentId = json.GetProperty("paymentId").GetString();

        // The same operation id in a new process continues the same transfer: nothing paid twice.
        var again = await Bank("topup", "--amount", "2500", "--from", Customer, "--operation-id", id);
        again.ExitCode.ShouldBe(0, again.Stderr);
        Single(again.Stdout).GetProperty("paymentId").GetString().ShouldBe(paymentId);
        _sandbox.Accounts.GetBalance(Customer).ShouldBe(97_500);
        _sandbox.Accounts.GetBalance(Platform).ShouldBe(2_500);

        var payout = await Bank("payout", "--amount", "1000", "--to", Merchant, "--spec", "V4_0", "--wait");
        payout.ExitCode.ShouldBe(0, payout.Stderr);
        Single(payout.Stdout).GetProperty("paymentStatus").GetString().ShouldBe("ACSC");
        _sandbox.Accounts.GetBalance(Merchant).ShouldBe(1_000);
        _sandbox.Accounts.GetBalance(Platform).ShouldBe(1_500);

        var status = await Bank("status", "--operation-id", id, "--local");
        status.ExitCode.ShouldBe(0, status.Stderr);
        var history = Single(status.Stdout).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()).ToList();
        history[0].ShouldBe("created");
        history.ShouldContain("payment-created");
    }

    [Fact]
    public async Task Status_UnknownOperation_StderrAndNonZero()
    {
        var run = await Bank("status", "--operation-id", Guid.NewGuid().ToString());
        run.ExitCode.ShouldNotBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldStartWith("error: no transfer");
    }

    [Fact]
    public async Task Topup_BadConfigurationFile_FailsNamingTheSetting()
    {
        var config = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(config, """{"OpenBanking":{"Banks":{"acme":{"BaseUrl":"http://bank.example","ClientId":"x"}}}}""");
        var run = await L2pay.RunAsync("bank", "topup", "--config", config, "--amount", "1", "--state-dir", Path.Combine(_dir, "state2"));
        run.ExitCode.ShouldNotBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("OpenBanking:Banks:acme:BaseUrl");
        run.Stderr.ShouldContain("OpenBanking:Banks:acme:SigningKeyPath");
    }

    [Fact]
    public async Task Payout_AmountExceedsBalance_RejectedNothingMoved()
    {
        var run = await Bank("payout", "--amount", "999999", "--to", Merchant, "--wait");
        run.ExitCode.ShouldBe(0, run.Stderr);
        Single(run.Stdout).GetProperty("state").GetString().ShouldBe("Rejected");
        _sandbox.Accounts.GetBalance(Merchant).ShouldBe(0);
    }

    private Task<CliRun> Bank(string verb, params string[] args) =>
        L2pay.RunAsync(["bank", verb, "--sandbox", _sandbox.BaseUrl.ToString(), "--sandbox-cert", _pem, "--state-dir", Path.Combine(_dir, "state"), .. args]);

    private static JsonElement Single(string stdout)
    {
        stdout.Count(c => c == '\n').ShouldBe(1);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
