using System.Globalization;
using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Contracts.Events;
using Settlement.Channels.Payee.Refunds;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Closing;
using Settlement.Channels.Payer.Refunds;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.PayeeService;

namespace Settlement.Cli.Demo;

/// <summary>
/// A refund in the demo (docs/payee.md, "Refunds"): the user prepays a video session in an ETH channel, the merchant
/// funds its own side of the channel (<c>topUpPayee</c>), watches part of it and the merchant pays the unused part back
/// with a payee → payer voucher sent over the payer's stream; the payer SDK checks and stores it, and the cooperative
/// close the merchant's payee service signs pays the split read back from the chain's <c>ChannelSettled</c> event.
/// </summary>
internal static class DemoRefund
{
    private static readonly BigInteger SecondPrice = 100_000_000_000;       // wei per second of video
    private static readonly BigInteger Deposit = SecondPrice * 600;         // ten minutes
    private static readonly BigInteger Prepaid = SecondPrice * 300;         // a five-minute session paid up front
    private static readonly BigInteger Watched = SecondPrice * 180;         // three minutes used
    private static readonly BigInteger PayeeDeposit = SecondPrice * 120;    // the merchant's refund float

    public static async Task<RefundDemoResult> RunAsync(
        EthereumRpcClient rpc, ChannelContract channels, PrivateKey userKey, IContractTransactor user, PrivateKey merchantKey, IContractTransactor merchant,
        PayeeServiceOptions payeeOptions, string stateDir, Action<string> say, CancellationToken ct)
    {
        await using var payee = await PayeeServiceHost.StartAsync(payeeOptions, merchantKey, cancellationToken: ct).ConfigureAwait(false);
        await using var store = new SqlitePayerStore(Path.Combine(stateDir, "refund-payer.db"));
        await using var client = new PayerClient(channels, rpc, userKey, store, new PayerClientOptions { Transactor = user });
        var channel = await client.OpenAsync(new OpenChannelRequest(merchantKey.Address, Address.Zero, Deposit) { PayeeStreamUrl = payee.StreamUrl }, ct)
            .ConfigureAwait(false);
        await channels.TopUpPayeeAsync(merchant, channel.Parameters, PayeeDeposit, ct).ConfigureAwait(false);
        var accepted = new TaskCompletionSource<RefundOutcome?>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.RefundHandled += outcome => accepted.TrySetResult(outcome);
        if (await channel.PayAsync(Prepaid, ct).ConfigureAwait(false) is not PaymentDelivered)
        {
            throw new DemoStepException("refund", "the prepaid session's voucher was not delivered");
        }

        // The merchant's operator refunds the unused part (the payee service's POST …/refunds does the same call).
        var unused = Prepaid - Watched;
        var issued = await payee.Engine.IssueRefundAsync(new RefundRequest(channel.Key, unused, "demo-session-1"), ct).ConfigureAwait(false);
        if (issued is not RefundIssued { Refund: var refund })
        {
            throw new DemoStepException("refund", $"the payee refused the refund: {((RefundRefused)issued).Reason}");
        }

        var outcome = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        var stored = (await store.GetChannelAsync(channel.Key, ct).ConfigureAwait(false))?.Refund?.Voucher.CumulativeAmount ?? BigInteger.Zero;
        say(string.Create(CultureInfo.InvariantCulture,
            $"refund: the merchant deposited {PayeeDeposit} wei on its side of channel {channel.Id}; the user prepaid {Prepaid} wei, watched {Watched}; the merchant refunded {refund.Cumulative} wei over the stream; the payer SDK: {outcome?.Verdict.ToString() ?? "nothing"}, stored {stored}"));

        var from = await rpc.GetBlockNumberAsync(ct).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = payee.BaseUrl };
        var closed = await channel.CloseWithPayeeAsync(new PayeeCloseAgreementClient(http), cancellationToken: ct).ConfigureAwait(false);
        if (closed.Result != CloseResult.Settled)
        {
            throw new DemoStepException("refund", $"the refund channel did not close cooperatively: {closed.Result}");
        }

        var settled = (await channels.GetEventsAsync(BlockParameter.FromNumber(from), BlockParameter.Latest, ct).ConfigureAwait(false))
            .OfType<ChannelSettledEvent>().Single(e => e.ChannelId == channel.Id);
        say(string.Create(CultureInfo.InvariantCulture,
            $"refund: cooperative close signed by the merchant's payee service with payee → payer {closed.PayeeToPayer} wei; on chain the user got {settled.ToPayer} wei back and the merchant {settled.ToPayee} (its deposit + {settled.ToPayee - PayeeDeposit} = prepaid − refunded)"));
        return new RefundDemoResult(
            channel.Id.ToString(), Deposit, PayeeDeposit, Prepaid, refund.Cumulative, stored, outcome?.Verdict == RefundVerdict.Accepted,
            settled.ToPayer, settled.ToPayee, settled.Cooperative);
    }
}
