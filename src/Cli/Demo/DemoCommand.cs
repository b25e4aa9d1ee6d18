using System.CommandLine;
using Settlement.Cli.Demo;

namespace Settlement.Cli;

/// <summary>`l2pay demo`: the end-to-end run on embedded defaults (see <see cref="DemoRunner"/>).</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON summary object on stdout instead of the step lines" };
        var vouchers = new Option<int>("--vouchers") { Description = "Vouchers the user signs (each adds --increment pence)", DefaultValueFactory = _ => 1_000 };
        var increment = new Option<long>("--increment") { Description = "Pence per voucher", DefaultValueFactory = _ => 1 };
        var topup = new Option<long>("--topup") { Description = "Top-up through the bank, in pence (the customer starts with 10000)", DefaultValueFactory = _ => 2_000 };
        var rpcUrl = new Option<string?>("--rpc-url") { Description = "Use this Anvil or Hardhat node instead of starting Anvil (needs anvil_setBalance or hardhat_setBalance)" };
        var dashboard = new Option<bool>("--dashboard") { Description = "Serve the live dashboard while the story plays (its URL is printed) and keep it up until Ctrl+C" };
        var command = new Command("demo", "Run the whole system end to end: bank top-up, channel, voucher streaming, cooperative close, payout, checks")
        {
            json, vouchers, increment, topup, rpcUrl, dashboard,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new DemoOptions
            {
                Json = parse.GetValue(json),
                Vouchers = parse.GetValue(vouchers),
                IncrementPence = parse.GetValue(increment),
                TopupPence = parse.GetValue(topup),
                Dashboard = parse.GetValue(dashboard),
            };
            if (parse.GetValue(rpcUrl) is { } rpcText)
            {
                if (!Uri.TryCreate(rpcText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                {
                    return CliOutput.Fail($"--rpc-url must be an http(s) URL, not '{rpcText}'", CliOutput.Usage);
                }

                options = options with { RpcUrl = url };
            }

            if (options.Vouchers < 1 || options.IncrementPence < 1 || options.TopupPence < 1)
            {
                return CliOutput.Fail("--vouchers, --increment and --topup must be positive", CliOutput.Usage);
            }

            if (options.TopupPence > DemoRunner.CustomerStartPence)
            {
                return CliOutput.Fail($"--topup must be at most the customer's {DemoRunner.CustomerStartPence} pence", CliOutput.Usage);
            }

            if ((decimal)options.Vouchers * options.IncrementPence > options.TopupPence)
            {
                return CliOutput.Fail("--vouchers × --increment must not exceed --topup (a voucher above the deposit is refused)", CliOutput.Usage);
            }

            if ((decimal)options.Vouchers * options.IncrementPence <= DemoRunner.PayoutFeePence)
            {
                return CliOutput.Fail($"--vouchers × --increment must exceed the payout fee of {DemoRunner.PayoutFeePence} pence (a payout the fee would swallow is skipped)", CliOutput.Usage);
            }

            var log = options.Json ? null : Console.Out;
            DemoSummary summary;
            await using (var runner = new DemoRunner(options, log))
            {
                try
                {
                    log?.WriteLine("l2pay demo: bank top-up -> stablecoin channel -> streamed vouchers -> payer SDK (IoT meter, streaming player) -> HTTP 402 -> VRP recharge -> cooperative close -> payout batch -> watchtower dispute -> ledger and reconciliation");
                    summary = await runner.RunAsync(ct).ConfigureAwait(false);
                    await runner.HoldDashboardAsync(ct).ConfigureAwait(false);
                }
                catch (DemoStepException e)
                {
                    return CliOutput.Fail(e.Message);
                }
                catch (OperationCanceledException)
                {
                    return CliOutput.Fail("interrupted; the processes the demo started were stopped");
                }
            }

            if (options.Json)
            {
                CliOutput.WriteObject(w => summary.Write(w, options));
            }
            else
            {
                Console.Out.WriteLine(summary.AllChecksPassed
                    ? $"all {summary.Checks.Count} checks passed in {summary.ElapsedSeconds:F1} s."
                    : $"{summary.Checks.Count(c => !c.Passed)} of {summary.Checks.Count} checks FAILED.");
                Console.Out.WriteLine("next: " + DemoSummary.Next);
            }

            if (!summary.AllChecksPassed)
            {
                foreach (var failed in summary.Checks.Where(c => !c.Passed))
                {
                    Console.Error.WriteLine($"error: check {failed.Name} failed: {failed.Detail}");
                }

                return CliOutput.Failure;
            }

            return 0;
        });
        return command;
    }
}
