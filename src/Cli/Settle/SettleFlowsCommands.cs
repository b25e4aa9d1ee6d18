using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Settlement.Service.Flows;

namespace Settlement.Cli.Settle;

/// <summary>
/// <c>l2pay settle run</c> (advance every unfinished flow) and <c>l2pay settle payouts</c> (run a payout batch now):
/// each starts the settlement service with the same flags as <c>l2pay serve settlement</c> (the platform keystore and
/// <c>--bank-config</c> are required), does its work until the flows are finished or <c>--wait</c> runs out, prints one
/// JSON object and stops the service. Exit codes: 0 done, 3 when a flow is unfinished or needs attention (rejected,
/// failed, returned, refused; named in the output), 1 when the service cannot start, 2 for a usage error.
/// </summary>
internal static class SettleFlowsCommands
{
    public const int NeedsAttention = 3;

    public static Command CreateRun()
    {
        var args = new SettlementServiceArguments(defaultPort: 0);
        var wait = new Option<double>("--wait") { Description = "Seconds to keep advancing unfinished flows", DefaultValueFactory = _ => 60 };
        var command = new Command("run", "Advance every unfinished settlement flow (top-ups, payouts) until finished or --wait runs out; print them");
        Add(command, args, wait);
        command.SetAction((parse, ct) => CliOutput.RunAsync(() => WithFlowsAsync(parse, args, wait, ct, async (flows, deadline) =>
        {
            IReadOnlyList<FlowSnapshot> unfinished;
            do
            {
                await flows.ResumeAllAsync(ct).ConfigureAwait(false);
                unfinished = await flows.ListAsync(unfinishedOnly: true, cancellationToken: ct).ConfigureAwait(false);
            }
            while (unfinished.Count > 0 && await PauseAsync(deadline, ct).ConfigureAwait(false));

            var all = await flows.ListAsync(cancellationToken: ct).ConfigureAwait(false);
            CliOutput.WriteObject(w =>
            {
                WriteFlows(w, "flows", all);
                w.WriteNumber("unfinished", unfinished.Count);
                w.WriteNumber("needsAttention", all.Count(f => f.NeedsAttention));
            });
            return unfinished.Count > 0 || all.Any(f => f.NeedsAttention) ? NeedsAttention : 0;
        })));
        return command;
    }

    public static Command CreatePayouts()
    {
        var args = new SettlementServiceArguments(defaultPort: 0);
        var wait = new Option<double>("--wait") { Description = "Seconds to keep advancing the batch's payouts", DefaultValueFactory = _ => 60 };
        var merchants = new Option<string[]>("--merchant") { Description = "Pay only these merchant ids (default: every configured merchant)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("payouts", "Run a merchant payout batch now (minimum and fee from --payouts-config) and advance its payouts until paid or --wait runs out");
        Add(command, args, wait);
        command.Options.Add(merchants);
        command.SetAction((parse, ct) => CliOutput.RunAsync(() => WithFlowsAsync(parse, args, wait, ct, async (flows, deadline) =>
        {
            var chosen = parse.GetValue(merchants) ?? [];
            var batch = chosen.Length > 0
                ? await flows.RunPayoutBatchAsync(chosen, ct).ConfigureAwait(false)
                : await flows.RunPayoutBatchAsync(ct).ConfigureAwait(false);
            var ids = batch.Items.Where(i => i.FlowId is not null).Select(i => i.FlowId!.Value).ToList();
            var payouts = new List<PayoutFlow>();
            while (true)
            {
                payouts.Clear();
                foreach (var id in ids)
                {
                    await flows.AdvanceAsync(id, ct).ConfigureAwait(false);
                    if (await flows.GetPayoutAsync(id, ct).ConfigureAwait(false) is { } flow)
                    {
                        payouts.Add(flow);
                    }
                }

                if (payouts.TrueForAll(p => p.IsFinished || p.State == PayoutFlowState.Paid) || !await PauseAsync(deadline, ct).ConfigureAwait(false))
                {
                    break;
                }
            }

            CliOutput.WriteObject(w =>
            {
                w.WriteString("batchId", batch.BatchId.ToString());
                w.WriteString("slotStart", batch.SlotStart.ToString("O", CultureInfo.InvariantCulture));
                w.WriteStartArray("items");
                foreach (var item in batch.Items)
                {
                    var flow = payouts.FirstOrDefault(p => p.Id == item.FlowId);
                    w.WriteStartObject();
                    w.WriteString("merchant", item.MerchantId);
                    w.WriteString("outcome", item.Outcome.ToString());
                    w.WriteNumber("amountPence", item.AmountPence);
                    w.WriteString("flowId", item.FlowId?.ToString());
                    w.WriteString("state", flow?.State.ToString() ?? item.State?.ToString());
                    if (flow is not null)
                    {
                        w.WriteNumber("feePence", flow.Order.FeePence);
                        w.WriteNumber("netPence", flow.Order.NetPence);
                        w.WriteString("burnTransaction", flow.Burn?.TransactionHash);
                        w.WriteString("problem", flow.Problem?.Detail);
                    }

                    w.WriteString("detail", item.Detail);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return payouts.TrueForAll(p => p.State == PayoutFlowState.Paid) ? 0 : NeedsAttention;
        })));
        return command;
    }

    private static void Add(Command command, SettlementServiceArguments args, Option<double> wait)
    {
        foreach (var option in args.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(wait);
    }

    private static async Task<int> WithFlowsAsync(
        ParseResult parse, SettlementServiceArguments args, Option<double> wait, CancellationToken ct, Func<SettlementFlows, Deadline, Task<int>> work)
    {
        if (parse.GetValue(args.PlatformKeystore) is null || parse.GetValue(args.BankConfig) is null)
        {
            return CliOutput.Fail("the flows need --platform-keystore and --bank-config", CliOutput.Usage);
        }

        var seconds = parse.GetValue(wait);
        if (seconds is < 0 or > 86_400)
        {
            return CliOutput.Fail("--wait must be in [0, 86400] seconds", CliOutput.Usage);
        }

        var (host, key, _, exit) = await args.StartAsync(
            parse, logging => ServeSettlementCommand.ConfigureLogging(logging, LogLevel.Warning, json: true), ct).ConfigureAwait(false);
        if (host is null)
        {
            return exit;
        }

        using (key)
        {
            await using (host.ConfigureAwait(false))
            {
                var code = await work(host.Services.GetRequiredService<SettlementFlows>(), new Deadline(TimeSpan.FromSeconds(seconds))).ConfigureAwait(false);
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return code;
            }
        }
    }

    /// <summary>Waits a moment before the next pass; false once the deadline has passed.</summary>
    private static async Task<bool> PauseAsync(Deadline deadline, CancellationToken ct)
    {
        if (deadline.Passed)
        {
            return false;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        return true;
    }

    private static void WriteFlows(Utf8JsonWriter w, string name, IReadOnlyList<FlowSnapshot> flows)
    {
        w.WriteStartArray(name);
        foreach (var f in flows)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Id.ToString());
            w.WriteString("kind", f.Kind.ToString());
            w.WriteString("state", f.State);
            w.WriteBoolean("finished", f.Finished);
            w.WriteBoolean("needsAttention", f.NeedsAttention);
            w.WriteString("problem", f.Problem is { } p ? $"{p.Code}: {p.Detail}" : null);
            w.WriteString("updatedAt", f.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>How long a verb keeps advancing flows (real time: an operator's wait, not a business rule).</summary>
    private sealed class Deadline(TimeSpan limit)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public bool Passed => _clock.Elapsed >= limit;
    }
}
