using System.Text.Json;
using Settlement.BankSandbox.Accounts;
using Settlement.OpenBanking.Transfers;
using Xunit.Abstractions;
using static Settlement.Cli.Tests.Bank.CliBankSandbox;

namespace Settlement.Cli.Tests.Bank;

/// <summary>
/// Real <c>l2pay bank topup|payout --wait</c> processes killed (SIGKILL) at every checkpoint of the
/// transfer flow, for both spec versions, through the CLI's test hook <c>L2PAY_TEST_CRASH_AT</c>, and at
/// random points from outside; each is then resumed as docs/openbanking.md says (the same command run
/// again, no operation id). The sandbox's balances prove every transfer moved the money exactly once
/// or not at all, and every transfer ends in a final state.
/// </summary>
/// <remarks>One subclass per spec version (<see cref="BankCrashV3Tests"/>, <see cref="BankCrashV4Tests"/>), so the two run in parallel.</remarks>
public abstract class BankCrashTests(string spec, ITestOutputHelper output) : IAsyncLifetime
{
    private const long Start = 1_000_000;
    private CliBankSandbox _bank = null!;

    /// <summary>Checkpoints where the flow cannot continue (a code or token lost with the process): the transfer ends Failed, nothing paid.</summary>
    private static readonly TransferCheckpoint[] Unrecoverable = [TransferCheckpoint.AuthorisedAtBank, TransferCheckpoint.TokenIssued];

    public static TheoryData<TransferCheckpoint> Steps() => [.. Enum.GetValues<TransferCheckpoint>()];

    public async Task InitializeAsync() => _bank = await CliBankSandbox.StartAsync("l2pay-crash-", Start, Start, 0);

    public async Task DisposeAsync() => await _bank.DisposeAsync();

    [Theory]
    [MemberData(nameof(Steps), MemberType = typeof(BankCrashTests))]
    public async Task KilledAtCheckpoint_SameCommandAgain_FinalStateMoneyMovedOnceOrNotAtAll(TransferCheckpoint checkpoint)
    {
        // Both kinds at every checkpoint across the two versions.
        var payout = ((int)checkpoint + (spec == "V4_0" ? 1 : 0)) % 2 == 1;
        var command = Command(payout, 1_000 + (int)checkpoint);

        var killed = await L2pay.RunAsync(new Dictionary<string, string?> { ["L2PAY_TEST_CRASH_AT"] = checkpoint.ToString() }, command);
        killed.ExitCode.ShouldBe(137, killed.Stderr); // 128 + SIGKILL
        killed.Stderr.ShouldContain($"test hook: killed at {checkpoint}");
        killed.Stdout.ShouldBeEmpty();
        var printedFirst = OperationId(killed.Stderr);

        // As the docs say: run the same command again.
        var resumed = await L2pay.RunAsync(command);
        var json = Single(resumed.Stdout);
        json.GetProperty("operationId").GetString().ShouldBe(printedFirst);
        var state = json.GetProperty("state").GetString();
        var moved = Moved(payout);
        if (Unrecoverable.Contains(checkpoint))
        {
            resumed.ExitCode.ShouldBe(4, resumed.Stderr);
            state.ShouldBe("Failed");
            json.GetProperty("lastError").GetString()!.ShouldContain("nothing was paid");
            moved.ShouldBe(0);

            // What the message says to do: start a new transfer; the same command does, since nothing was paid.
            var next = await L2pay.RunAsync(command);
            next.ExitCode.ShouldBe(0, next.Stderr);
            Single(next.Stdout).GetProperty("operationId").GetString().ShouldNotBe(printedFirst);
        }
        else
        {
            resumed.ExitCode.ShouldBe(0, resumed.Stderr);
            state.ShouldBe("Completed");
        }

        Moved(payout).ShouldBe(1_000 + (int)checkpoint);
        output.WriteLine($"| {checkpoint} | {spec} | {(payout ? "payout" : "topup")} | resumed → {state}; moved once{(state == "Failed" ? " (by the new transfer)" : "")} |");
    }

    [Fact]
    public async Task KilledAtRandomPoints_SameCommandAgain_FinalStateMoneyMovedOnceOrNotAtAll()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("L2PAY_CRASH_SEED"), out var s) ? s : Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");
        for (var i = 0; i < 2; i++)
        {
            var payout = i % 2 == 1;
            var amount = 2_000 + i;
            var command = Command(payout, amount);
            var delay = TimeSpan.FromMilliseconds(random.Next(300, 2_500));
            string? firstId;
            string firstStderr;
            using (var process = L2pay.Start(new Dictionary<string, string?>(), command))
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEndAsync();
                var exited = process.WaitForExitAsync();
                if (await Task.WhenAny(exited, Task.Delay(delay)) != exited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await exited;
                firstStderr = await stderr;
                firstId = TryOperationId(firstStderr);
                await stdout;
            }

            // Not finished, or finished and then run again: either way the same command must not pay twice.
            var resumed = await L2pay.RunAsync(command);
            var context = $"killed after {delay.TotalMilliseconds:0} ms; first stderr: {firstStderr}; resumed exit {resumed.ExitCode} stderr: {resumed.Stderr} stdout: {resumed.Stdout}";
            string outcome;
            if (resumed.ExitCode == 7)
            {
                // The killed run had already completed it: refused, nothing sent.
                resumed.Stderr.Contains("already completed", StringComparison.Ordinal).ShouldBeTrue(context);
                outcome = "already Completed; rerun refused (exit 7)";
            }
            else
            {
                string.IsNullOrEmpty(resumed.Stdout).ShouldBeFalse(context);
                var json = Single(resumed.Stdout);
                if (firstId is not null)
                {
                    json.GetProperty("operationId").GetString().ShouldBe(firstId, context);
                }

                outcome = json.GetProperty("state").GetString()!;
                if (outcome == "Failed")
                {
                    resumed.ExitCode.ShouldBe(4, context);
                    Moved(payout).ShouldBe(0, context);
                    (await L2pay.RunAsync(command)).ExitCode.ShouldBe(0);
                    outcome = "Failed (nothing paid), new transfer Completed";
                }
                else
                {
                    resumed.ExitCode.ShouldBe(0, context);
                    outcome.ShouldBe("Completed", context);
                }
            }

            Moved(payout).ShouldBe(amount, context);
            Reset();
            output.WriteLine($"| random {delay.TotalMilliseconds:0} ms | {spec} | {(payout ? "payout" : "topup")} | {outcome}; moved once |");
        }

        await AssertNothingUnfinished();
    }

    private string[] Command(bool payout, long amount) =>
    [
        "bank", payout ? "payout" : "topup", "--sandbox", _bank.Sandbox.BaseUrl.ToString(), "--sandbox-cert", _bank.Pem, "--state-dir", Path.Combine(_bank.Dir, "state"),
        "--spec", spec, "--amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture), payout ? "--to" : "--from", payout ? Merchant : Customer, "--wait",
    ];

    /// <summary>Minor units that left the debtor of this kind (and arrived at the creditor: checked to agree).</summary>
    private long Moved(bool payout)
    {
        if (payout)
        {
            var fromPlatform = Start - _bank.Sandbox.Accounts.GetBalance(Platform);
            _bank.Sandbox.Accounts.GetBalance(Merchant).ShouldBe(fromPlatform);
            return fromPlatform;
        }

        var fromCustomer = Start - _bank.Sandbox.Accounts.GetBalance(Customer);
        (_bank.Sandbox.Accounts.GetBalance(Platform) - Start).ShouldBe(fromCustomer);
        return fromCustomer;
    }

    private void Reset()
    {
        _bank.Sandbox.Accounts.Set(new SandboxAccount { Identification = Customer, Name = "Customer", BalanceMinor = Start });
        _bank.Sandbox.Accounts.Set(new SandboxAccount { Identification = Platform, Name = "Platform", BalanceMinor = Start });
        _bank.Sandbox.Accounts.Set(new SandboxAccount { Identification = Merchant, Name = "Merchant", BalanceMinor = 0 });
    }

    private async Task AssertNothingUnfinished()
    {
        var list = await L2pay.RunAsync("bank", "list", "--sandbox", _bank.Sandbox.BaseUrl.ToString(), "--sandbox-cert", _bank.Pem, "--state-dir", Path.Combine(_bank.Dir, "state"));
        list.ExitCode.ShouldBe(0, list.Stderr);
        Single(list.Stdout).GetProperty("transfers").GetArrayLength().ShouldBe(0);
    }

    private static string OperationId(string stderr) => TryOperationId(stderr) ?? throw new ShouldAssertException("no operation id on stderr: " + stderr);

    private static string? TryOperationId(string stderr) =>
        stderr.Split('\n').FirstOrDefault(l => l.StartsWith("operation ", StringComparison.Ordinal))?.Split(' ')[1];

    private static JsonElement Single(string stdout)
    {
        stdout.Count(c => c == '\n').ShouldBe(1, stdout);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
