using System.Text.Json;
using static Settlement.Cli.Tests.Bank.CliBankSandbox;

namespace Settlement.Cli.Tests.Bank;

/// <summary>`l2pay bank topup|payout|status` as processes against an in-process sandbox over HTTPS.</summary>
public sealed class BankTransferVerbTests : IAsyncLifetime
{
    private CliBankSandbox _bank = null!;

    public async Task InitializeAsync() => _bank = await CliBankSandbox.StartAsync("l2pay-bank-", 100_000, 0, 0);

    public async Task DisposeAsync() => await _bank.DisposeAsync();

    [Fact]
    public async Task TopupThenPayout_WaitAndRepeat_OneJsonObjectEachMoneyMovedOnce()
    {
        var id = Guid.NewGuid().ToString();
        var topup = await Bank("topup", "--amount", "2500", "--from", Customer, "--operation-id", id, "--wait");
        topup.ExitCode.ShouldBe(0, topup.Stderr);
        topup.Stderr.ShouldBe($"operation {id} (continue with --operation-id {id})\n"); // first, before any bank call
        var json = Single(topup.Stdout);
        json.GetProperty("state").GetString().ShouldBe("Completed");
        json.GetProperty("amount").GetString().ShouldBe("25.00");
        json.GetProperty("operationId").GetString().ShouldBe(id);
        var paymentId = json.GetProperty("paymentId").GetString();

        // The same operation id in a new process continues the same transfer: nothing paid twice.
        var again = await Bank("topup", "--amount", "2500", "--from", Customer, "--operation-id", id);
        again.ExitCode.ShouldBe(0, again.Stderr);
        Single(again.Stdout).GetProperty("paymentId").GetString().ShouldBe(paymentId);
        _bank.Sandbox.Accounts.GetBalance(Customer).ShouldBe(97_500);
        _bank.Sandbox.Accounts.GetBalance(Platform).ShouldBe(2_500);

        var payout = await Bank("payout", "--amount", "1000", "--to", Merchant, "--spec", "V4_0", "--wait");
        payout.ExitCode.ShouldBe(0, payout.Stderr);
        Single(payout.Stdout).GetProperty("paymentStatus").GetString().ShouldBe("ACSC");
        _bank.Sandbox.Accounts.GetBalance(Merchant).ShouldBe(1_000);
        _bank.Sandbox.Accounts.GetBalance(Platform).ShouldBe(1_500);

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
        var config = Path.Combine(_bank.Dir, "bad.json");
        await File.WriteAllTextAsync(config, """{"OpenBanking":{"Banks":{"acme":{"BaseUrl":"http://bank.example","ClientId":"x"}}}}""");
        var run = await L2pay.RunAsync("bank", "topup", "--config", config, "--amount", "1", "--state-dir", Path.Combine(_bank.Dir, "state2"));
        run.ExitCode.ShouldNotBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("OpenBanking:Banks:acme:BaseUrl");
        run.Stderr.ShouldContain("OpenBanking:Banks:acme:SigningKeyPath");
    }

    [Fact]
    public async Task Payout_AmountExceedsBalance_RejectedExit3NothingMoved()
    {
        var run = await Bank("payout", "--amount", "999999", "--to", Merchant, "--wait");
        run.ExitCode.ShouldBe(3, run.Stderr);
        Single(run.Stdout).GetProperty("state").GetString().ShouldBe("Rejected");
        run.Stderr.ShouldContain("ended Rejected");
        _bank.Sandbox.Accounts.GetBalance(Merchant).ShouldBe(0);
    }

    [Fact]
    public async Task Topup_SameCommandAfterCompleted_RefusedExit7NothingSentUntilNew()
    {
        var first = await Bank("topup", "--amount", "1200", "--from", Customer, "--reference", "INV-7", "--wait");
        first.ExitCode.ShouldBe(0, first.Stderr);
        var firstId = Single(first.Stdout).GetProperty("operationId").GetString();
        var stored = await Bank("list", "--all");

        var again = await Bank("topup", "--amount", "1200", "--from", Customer, "--reference", "INV-7", "--wait");
        again.ExitCode.ShouldBe(7);
        again.Stdout.ShouldBeEmpty();
        again.Stderr.ShouldBe($"error: an identical topup already completed (operation {firstId}); nothing was sent. Pass --new to pay again on purpose, or a different --reference\n");
        _bank.Sandbox.Accounts.GetBalance(Customer).ShouldBe(98_800);
        (await Bank("list", "--all")).Stdout.ShouldBe(stored.Stdout); // state unchanged

        var another = await Bank("topup", "--amount", "1200", "--from", Customer, "--reference", "INV-7", "--wait", "--new");
        another.ExitCode.ShouldBe(0, another.Stderr);
        Single(another.Stdout).GetProperty("operationId").GetString().ShouldNotBe(firstId);
        _bank.Sandbox.Accounts.GetBalance(Customer).ShouldBe(97_600);
    }

    [Fact]
    public async Task Topup_OperationIdOfAnotherRequest_RefusedUsageStateUnchanged()
    {
        var first = await Bank("topup", "--amount", "300", "--from", Customer, "--wait");
        var id = Single(first.Stdout).GetProperty("operationId").GetString()!;
        var before = await Bank("status", "--operation-id", id, "--local");

        var other = await Bank("topup", "--amount", "301", "--from", Customer, "--operation-id", id);
        other.ExitCode.ShouldBe(2);
        other.Stdout.ShouldBeEmpty();
        other.Stderr.ShouldEndWith($"error: operation {id} is a different transfer (Topup, 3.00 GBP); nothing changed\n");
        (await Bank("status", "--operation-id", id, "--local")).Stdout.ShouldBe(before.Stdout);

        var both = await Bank("topup", "--amount", "300", "--from", Customer, "--operation-id", id, "--new");
        both.ExitCode.ShouldBe(2);
        both.Stderr.ShouldBe("error: --new starts another transfer, --operation-id continues one: give only one of them\n");
        _bank.Sandbox.Accounts.GetBalance(Customer).ShouldBe(99_700);
    }

    [Fact]
    public async Task ConcurrentResumes_OneAdvancesOthersSayBusyOrDone_NoStackTracePaidOnce()
    {
        string[] topup = ["topup", "--amount", "4400", "--from", Customer];
        var killed = await L2pay.RunAsync(new Dictionary<string, string?> { ["L2PAY_TEST_CRASH_AT"] = "ConsentSaved" },
            ["bank", "topup", "--sandbox", _bank.Sandbox.BaseUrl.ToString(), "--sandbox-cert", _bank.Pem, "--state-dir", Path.Combine(_bank.Dir, "state"), .. topup.Skip(1)]);
        killed.ExitCode.ShouldBe(137, killed.Stderr);
        var id = killed.Stderr.Split(' ')[1];

        var runs = await Task.WhenAll(Bank("status", "--operation-id", id), Bank("status", "--operation-id", id), Bank(topup[0], topup[1..]), Bank(topup[0], topup[1..]));
        foreach (var run in runs)
        {
            run.Stderr.ShouldNotContain("Unhandled");
            run.Stderr.ShouldNotContain("   at ");
            if (run.ExitCode == 6)
            {
                run.Stderr.ShouldContain($"transfer {id} is being advanced by another l2pay process");
                run.Stdout.ShouldBeEmpty();
            }
            else
            {
                new[] { 0, 7 }.ShouldContain(run.ExitCode, run.Stderr);
            }
        }

        var done = await Bank(topup[0], [.. topup[1..], "--operation-id", id, "--wait"]);
        done.ExitCode.ShouldBe(0, done.Stderr);
        Single(done.Stdout).GetProperty("state").GetString().ShouldBe("Completed");
        _bank.Sandbox.Accounts.GetBalance(Customer).ShouldBe(95_600);
        _bank.Sandbox.Accounts.GetBalance(Platform).ShouldBe(4_400);
    }

    [Fact]
    public async Task List_UnfinishedOnlyUnlessAll_DatabaseOwnerOnly()
    {
        var done = await Bank("topup", "--amount", "100", "--from", Customer, "--wait");
        done.ExitCode.ShouldBe(0, done.Stderr);
        var unfinished = await Bank("list");
        unfinished.ExitCode.ShouldBe(0, unfinished.Stderr);
        Single(unfinished.Stdout).GetProperty("transfers").GetArrayLength().ShouldBe(0);
        var all = Single((await Bank("list", "--all")).Stdout).GetProperty("transfers");
        all.GetArrayLength().ShouldBe(1);
        all[0].GetProperty("state").GetString().ShouldBe("Completed");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(_bank.Dir, "state", "transfers.db")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private Task<CliRun> Bank(string verb, params string[] args) =>
        L2pay.RunAsync(["bank", verb, "--sandbox", _bank.Sandbox.BaseUrl.ToString(), "--sandbox-cert", _bank.Pem, "--state-dir", Path.Combine(_bank.Dir, "state"), .. args]);

    private static JsonElement Single(string stdout)
    {
        stdout.Count(c => c == '\n').ShouldBe(1);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
