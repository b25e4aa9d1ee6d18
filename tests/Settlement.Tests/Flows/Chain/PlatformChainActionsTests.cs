using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Tokens;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;
using Settlement.Service.Flows;
using Settlement.Service.Flows.Chain;
using Settlement.Service.Tests.Ledger.Expiry;

namespace Settlement.Service.Tests.Flows.Chain;

/// <summary>
/// The platform's chain steps over a node in memory (<see cref="FakeChainNode"/>) and an outbox in memory: the exact
/// transactions each step sends (recipient, call data, nonce), what it stores, the result it answers, the refusals that
/// send nothing, the contract's refusals as results with the mint burned back, and the re-sending of stored
/// transactions before the first new signature. The same steps run on Anvil in the integration project.
/// </summary>
public sealed class PlatformChainActionsTests : IDisposable
{
    private const string PlatformLower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    // The contract address as the refusal prints it (EIP-55).
    private const string ChannelsChecksummed = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address Payee = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private static readonly Address Holder = Address.Parse("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    private static readonly Address Token = FakeChainNode.Token;
    private static readonly Address Channels = FakeChainNode.Channels;

    private readonly FakeChainNode _node = new();
    private readonly MemoryChainOutbox _outbox = new();
    private readonly FakeTimeProvider _clock = new(T0.AddHours(1));
    private readonly CapturingLogger<PlatformChainActions> _log = new();
    private readonly PrivateKey _platform = PrivateKey.ParseHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

    public void Dispose()
    {
        _platform.Dispose();
        _node.Dispose();
    }

    [Theory]
    [InlineData("channels")]
    [InlineData("token")]
    [InlineData("sender")]
    [InlineData("platform")]
    [InlineData("outbox")]
    public void Constructor_MissingDependency_Throws(string missing)
    {
        var rpc = _node.Client();
        var e = Should.Throw<ArgumentNullException>(() => new PlatformChainActions(
            missing == "channels" ? null! : new ChannelContract(rpc, Channels),
            missing == "token" ? null! : new StablecoinContract(rpc, Token),
            missing == "sender" ? null! : _node.Sender(),
            missing == "platform" ? null! : _platform,
            missing == "outbox" ? null! : _outbox,
            FakeChainNode.ChainId,
            3600));

        e.ParamName.ShouldBe(missing);
    }

    [Fact]
    public async Task FundNewChannel_MintsApprovesAndOpens_StoresEachStep_AnswersTheOpen()
    {
        var result = await Actions().FundNewChannelAsync("topup/1/fund", Payer.ToString(), Payee.ToString(), 250_000, default);

        Sent().ShouldBe([
            (Token, Mint(250_000), 0UL),
            (Token, Approve(250_000), 1UL),
            (Channels, Open(Payer, Payee, 3600, 250_000), 2UL),
        ]);
        var open = _node.Broadcasts[2];
        var channel = new ChannelParameters(Payer, Payee, Token, 3600, FakeChainNode.FirstBlock + 3);
        result.ShouldBe(new ChainActionResult(ChainActionStatus.Mined, open.HashHex, FakeChainNode.FirstBlock + 3, channel.Id.ToString(), null));
        ShouldHaveSteps(("topup/1/fund/mint", 0), ("topup/1/fund/approve", 1), ("topup/1/fund/open", 2));
        _log.Entries.ShouldBe([(LogLevel.Information, 2101, $"Chain step topup/1/fund: opened channel {channel.Id} in transaction {open.HashHex}", null)]);
    }

    [Fact]
    public async Task FundNewChannel_RepeatedByANewProcess_SendsNothing_AnswersTheSame()
    {
        var first = await Actions().FundNewChannelAsync("topup/2/fund", Payer.ToString(), Payee.ToString(), 40_000, default);

        var again = await Actions().FundNewChannelAsync("topup/2/fund", Payer.ToString(), Payee.ToString(), 40_000, default);

        again.ShouldBe(first);
        _node.Broadcasts.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("nope", "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 1, "payer and payee must be 20-byte hex addresses")]
    [InlineData("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x3c44", 1, "payer and payee must be 20-byte hex addresses")]
    [InlineData("0x0000000000000000000000000000000000000000", "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 1, "payer and payee must be two different non-zero addresses")]
    [InlineData("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x0000000000000000000000000000000000000000", 1, "payer and payee must be two different non-zero addresses")]
    [InlineData("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1, "payer and payee must be two different non-zero addresses")]
    [InlineData("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 0, "the amount must be above zero")]
    public async Task FundNewChannel_BadArguments_RefusedBeforeAnythingIsAskedOrSent(string payer, string payee, int amount, string error)
    {
        var result = await Actions().FundNewChannelAsync("topup/3/fund", payer, payee, (UInt128)amount, default);

        result.ShouldBe(new ChainActionResult(ChainActionStatus.Reverted, string.Empty, 0, null, error));
        _node.Methods.ShouldBeEmpty();
        _outbox.ListCalls.ShouldBe(0);
        _outbox.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task EveryStep_NoStepKey_Throws()
    {
        var actions = Actions();

        (await Should.ThrowAsync<ArgumentException>(() => actions.FundNewChannelAsync("", Payer.ToString(), Payee.ToString(), 1, default))).ParamName.ShouldBe("stepKey");
        (await Should.ThrowAsync<ArgumentException>(() => actions.TopUpChannelAsync("", "0x" + new string('7', 64), 1, default))).ParamName.ShouldBe("stepKey");
        (await Should.ThrowAsync<ArgumentException>(() => actions.BurnFromAsync("", Holder.ToString(), 1, default))).ParamName.ShouldBe("stepKey");
        _node.Methods.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FundNewChannel_MintRefused_ResultWithTheReason_NothingElseSent(bool withReason)
    {
        _node.RevertAtEstimate("mint", withReason ? FakeChainNode.ErrorString("not the owner") : null);

        var result = await Actions().FundNewChannelAsync("topup/4/fund", Payer.ToString(), Payee.ToString(), 5_000, default);

        result.ShouldBe(Refused(withReason ? "not the owner" : "The transaction would revert (gas estimation failed); nothing was sent."));
        _node.Broadcasts.ShouldBeEmpty();
        _outbox.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task FundNewChannel_ApproveRefused_NoOpen_TheMintBurnedBack()
    {
        _node.RevertAtEstimate("approve", FakeChainNode.ErrorString("approvals paused"));

        var result = await Actions().FundNewChannelAsync("topup/5/fund", Payer.ToString(), Payee.ToString(), 5_000, default);

        result.ShouldBe(Refused("approvals paused"));
        Sent().ShouldBe([(Token, Mint(5_000), 0UL), (Token, Burn(5_000), 1UL)]);
        ShouldHaveSteps(("topup/5/fund/mint", 0), ("topup/5/fund/unmint", 1));
    }

    [Fact]
    public async Task FundNewChannel_OpenRefusedWithACustomError_ItsName_TheMintBurnedBack()
    {
        _node.RevertAtEstimate("open", FakeChainNode.Selector("InvalidChallengePeriod()"));

        var result = await Actions(period: 1).FundNewChannelAsync("topup/6/fund", Payer.ToString(), Payee.ToString(), 5_000, default);

        result.ShouldBe(Refused("InvalidChallengePeriod"));
        Sent().ShouldBe([(Token, Mint(5_000), 0UL), (Token, Approve(5_000), 1UL), (Token, Burn(5_000), 2UL)]);
        ShouldHaveSteps(("topup/6/fund/mint", 0), ("topup/6/fund/approve", 1), ("topup/6/fund/unmint", 2));
        _log.Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task FundNewChannel_OpenMinedReverted_NoReasonKnown_TheContractsMessage_TheMintBurnedBack()
    {
        _node.RevertWhenMined("open", null);

        var result = await Actions().FundNewChannelAsync("topup/7/fund", Payer.ToString(), Payee.ToString(), 5_000, default);

        result.ShouldBe(Refused("open reverted: no reason given"));
        Sent().ShouldBe([
            (Token, Mint(5_000), 0UL), (Token, Approve(5_000), 1UL), (Channels, Open(Payer, Payee, 3600, 5_000), 2UL), (Token, Burn(5_000), 3UL),
        ]);
        ShouldHaveSteps(("topup/7/fund/mint", 0), ("topup/7/fund/approve", 1), ("topup/7/fund/open", 2), ("topup/7/fund/unmint", 3));
    }

    [Fact]
    public async Task FundNewChannel_OpenAndTheBurnBackBothRefused_Throws_AndLogsTheError()
    {
        _node.RevertAtEstimate("open", FakeChainNode.Selector("InvalidChallengePeriod()"));
        _node.RevertAtEstimate("burn", FakeChainNode.ErrorString("burn paused"));

        var e = await Should.ThrowAsync<InvalidOperationException>(
            () => Actions().FundNewChannelAsync("topup/8/fund", Payer.ToString(), Payee.ToString(), 5_000, default));

        e.Message.ShouldBe("Chain step 'topup/8/fund': burning the 5000 units minted for a failed funding reverted: burn paused");
        _log.Entries.ShouldBe([(LogLevel.Error, 2103, "Chain step topup/8/fund: burning back a failed funding's mint reverted: burn paused", null)]);
        Sent().ShouldBe([(Token, Mint(5_000), 0UL), (Token, Approve(5_000), 1UL)]);
    }

    [Fact]
    public async Task FundNewChannel_TheOpensRowMissingAfterwards_Throws()
    {
        _outbox.Hidden.Add("topup/9/fund/open");

        var e = await Should.ThrowAsync<InvalidOperationException>(
            () => Actions().FundNewChannelAsync("topup/9/fund", Payer.ToString(), Payee.ToString(), 5_000, default));

        e.Message.ShouldBe("Chain step 'topup/9/fund/open' has no stored transaction.");
    }

    [Theory]
    [InlineData("0x1234", 1, "the channel id must be 32 bytes of hex")]
    [InlineData("0x7777777777777777777777777777777777777777777777777777777777777777", 0, "the amount must be above zero")]
    public async Task TopUpChannel_BadArguments_RefusedBeforeAnythingIsAsked(string channelId, int amount, string error)
    {
        var result = await Actions().TopUpChannelAsync("topup/10/fund", channelId, (UInt128)amount, default);

        result.ShouldBe(Refused(error));
        _node.Methods.ShouldBeEmpty();
        _outbox.ListCalls.ShouldBe(0);
    }

    [Fact]
    public async Task TopUpChannel_ChannelNeverOpened_RefusedWithNothingSent()
    {
        var unknown = "0x" + new string('7', 64);

        var result = await Actions().TopUpChannelAsync("topup/11/fund", unknown, 1_000, default);

        result.ShouldBe(Refused($"no channel {unknown} was opened on contract {ChannelsChecksummed}"));
        _node.Broadcasts.ShouldBeEmpty();
        _node.Methods.ShouldContain("eth_getLogs");
    }

    [Fact]
    public async Task TopUpChannel_ChannelInAnotherToken_RefusedWithNothingSent()
    {
        var channel = new ChannelParameters(Payer, Payee, Holder, 3600, 42);
        _node.Opened(channel, Payer, 1_000);

        var result = await Actions().TopUpChannelAsync("topup/12/fund", channel.Id.ToString(), 1_000, default);

        result.ShouldBe(Refused($"channel {channel.Id} is not in the platform's stablecoin"));
        _node.Broadcasts.ShouldBeEmpty();
    }

    [Fact]
    public async Task TopUpChannel_MintsApprovesAndTopsUp_AnswersTheTopUp()
    {
        var channel = new ChannelParameters(Payer, Payee, Token, 3600, 42);
        _node.Opened(channel, Payer, 1_000);

        var result = await Actions().TopUpChannelAsync("topup/13/fund", channel.Id.ToString(), 2_500, default);

        Sent().ShouldBe([(Token, Mint(2_500), 0UL), (Token, Approve(2_500), 1UL), (Channels, TopUp(channel, 2_500), 2UL)]);
        var topUp = _node.Broadcasts[2];
        result.ShouldBe(new ChainActionResult(ChainActionStatus.Mined, topUp.HashHex, FakeChainNode.FirstBlock + 4, channel.Id.ToString(), null));
        ShouldHaveSteps(("topup/13/fund/mint", 0), ("topup/13/fund/approve", 1), ("topup/13/fund/topup", 2));
    }

    [Fact]
    public async Task TopUpChannel_MintRefused_ResultWithTheReason_NothingElseSent()
    {
        var channel = new ChannelParameters(Payer, Payee, Token, 3600, 42);
        _node.Opened(channel, Payer, 1_000);
        _node.RevertAtEstimate("mint", FakeChainNode.ErrorString("not the owner"));

        var result = await Actions().TopUpChannelAsync("topup/14/fund", channel.Id.ToString(), 2_500, default);

        result.ShouldBe(Refused("not the owner"));
        _node.Broadcasts.ShouldBeEmpty();
    }

    [Fact]
    public async Task TopUpChannel_ApproveRefused_NoTopUp_TheMintBurnedBack()
    {
        var channel = new ChannelParameters(Payer, Payee, Token, 3600, 42);
        _node.Opened(channel, Payer, 1_000);
        _node.RevertAtEstimate("approve", FakeChainNode.ErrorString("approvals paused"));

        var result = await Actions().TopUpChannelAsync("topup/15/fund", channel.Id.ToString(), 2_500, default);

        result.ShouldBe(Refused("approvals paused"));
        Sent().ShouldBe([(Token, Mint(2_500), 0UL), (Token, Burn(2_500), 1UL)]);
    }

    [Fact]
    public async Task TopUpChannel_TopUpRefusedByTheContract_ItsErrorName_TheMintBurnedBack()
    {
        var channel = new ChannelParameters(Payer, Payee, Token, 3600, 42);
        _node.Opened(channel, Payer, 1_000);
        _node.RevertAtEstimate("topUp", FakeChainNode.Selector("ChannelClosingAlready()"));

        var result = await Actions().TopUpChannelAsync("topup/16/fund", channel.Id.ToString(), 2_500, default);

        result.ShouldBe(Refused("ChannelClosingAlready"));
        Sent().ShouldBe([(Token, Mint(2_500), 0UL), (Token, Approve(2_500), 1UL), (Token, Burn(2_500), 2UL)]);
    }

    [Theory]
    [InlineData("0x90f7", 1, "the holder must be a non-zero 20-byte hex address")]
    [InlineData("0x0000000000000000000000000000000000000000", 1, "the holder must be a non-zero 20-byte hex address")]
    [InlineData("0x90f79bf6eb2c4f870365e785982e1f101e93b906", 0, "the amount must be above zero")]
    public async Task BurnFrom_BadArguments_RefusedBeforeAnythingIsAsked(string holder, int amount, string error)
    {
        var result = await Actions().BurnFromAsync("payout/1/burn", holder, (UInt128)amount, default);

        result.ShouldBe(Refused(error));
        _node.Methods.ShouldBeEmpty();
        _outbox.ListCalls.ShouldBe(0);
    }

    [Fact]
    public async Task BurnFrom_BurnsUnderTheAllowance_OnceUnderRepeats()
    {
        var first = await Actions().BurnFromAsync("payout/2/burn", Holder.ToString(), 60_000, default);
        var again = await Actions().BurnFromAsync("payout/2/burn", Holder.ToString(), 60_000, default);

        Sent().ShouldBe([(Token, Hex.Encode(FakeChainNode.Call("burnFrom(address,uint256)", FakeChainNode.Word(Holder), FakeChainNode.Word(60_000))), 0UL)]);
        first.ShouldBe(new ChainActionResult(ChainActionStatus.Mined, _node.Broadcasts[0].HashHex, FakeChainNode.FirstBlock + 1, null, null));
        again.ShouldBe(first);
        ShouldHaveSteps(("payout/2/burn/burn", 0));
    }

    [Fact]
    public async Task BurnFrom_Refused_ResultWithTheReason()
    {
        _node.RevertAtEstimate("burnFrom", FakeChainNode.ErrorString("insufficient allowance"));

        var result = await Actions().BurnFromAsync("payout/3/burn", Holder.ToString(), 60_000, default);

        result.ShouldBe(Refused("insufficient allowance"));
        _node.Broadcasts.ShouldBeEmpty();
    }

    [Fact]
    public async Task FirstStep_ReSendsStoredUnminedTransactionsFirst_Once_SkippingUndecodableRows()
    {
        var stored = new Eip1559Transaction
        {
            ChainId = FakeChainNode.ChainId, Nonce = 0, MaxPriorityFeePerGas = 3, MaxFeePerGas = 17, GasLimit = 90_000, To = Token, Data = MintData(777),
        }.Sign(_platform);
        _outbox.Put(new ChainOutboxEntry("earlier/fund/mint", PlatformLower, 0, stored.HashHex, stored.ToArray(), T0));
        _outbox.Put(new ChainOutboxEntry("broken/fund/mint", PlatformLower, 5, "0x" + new string('9', 64), new byte[] { 0x01, 0x02 }, T0));
        var actions = Actions();

        await actions.FundNewChannelAsync("topup/17/fund", Payer.ToString(), Payee.ToString(), 1_000, default);
        await actions.BurnFromAsync("payout/4/burn", Holder.ToString(), 300, default);

        _node.Broadcasts[0].ToArray().ShouldBe(stored.ToArray());
        Sent().Skip(1).Select(s => s.Nonce).ShouldBe([1UL, 2UL, 3UL, 4UL]); // the new steps after the stored nonce
        _node.Broadcasts.Count(b => b.HashHex == stored.HashHex).ShouldBe(1);
        _outbox.ListCalls.ShouldBe(1);
        _log.Entries[0].ShouldBe((LogLevel.Information, 2102, $"Chain step earlier/fund/mint: re-sent stored transaction {stored.HashHex} (held by the node: True)", null));
        _log.Entries.Count(e => e.EventId == 2102).ShouldBe(1);
    }

    [Fact]
    public async Task RecoverAsync_AfterRecovery_ReturnsAtOnce_EvenWithACancelledToken()
    {
        var actions = Actions();
        await actions.RecoverAsync(default);

        await actions.RecoverAsync(new CancellationToken(canceled: true));

        _outbox.ListCalls.ShouldBe(1);
    }

    [Fact]
    public async Task RecoverAsync_TwoCallersAtOnce_TheSecondWaitsAndDoesNotRecoverAgain()
    {
        var listing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _outbox.BeforeList = () => listing.Task;
        var actions = Actions();

        var first = actions.RecoverAsync(default);
        var second = actions.RecoverAsync(default);
        first.IsCompleted.ShouldBeFalse();
        second.IsCompleted.ShouldBeFalse();
        listing.SetResult();
        await Task.WhenAll(first, second);

        _outbox.ListCalls.ShouldBe(1);
    }

    [Fact]
    public async Task RecoverAsync_AfterAFailedRecovery_TheNextCallIsNotBlocked()
    {
        _outbox.BeforeList = () => throw new IOException("outbox unreadable");
        var actions = Actions();
        (await Should.ThrowAsync<IOException>(() => actions.RecoverAsync(default))).Message.ShouldBe("outbox unreadable");
        _outbox.BeforeList = null;

        var again = actions.RecoverAsync(default);

        again.IsCompletedSuccessfully.ShouldBeTrue(); // nothing to re-send: done without waiting, the gate was released
        _outbox.ListCalls.ShouldBe(2);
    }

    private PlatformChainActions Actions(uint period = 3600)
    {
        var rpc = _node.Client();
        var sender = new TransactionSender(
            rpc, new NonceManager(rpc), new TransactionSenderOptions { ReceiptPollInterval = TimeSpan.FromMilliseconds(1), ReceiptTimeout = TimeSpan.FromSeconds(2) });
        return new PlatformChainActions(
            new ChannelContract(rpc, Channels), new StablecoinContract(rpc, Token), sender, _platform, _outbox, FakeChainNode.ChainId, period, _clock, _log);
    }

    private (Address To, string Data, ulong Nonce)[] Sent()
    {
        var sent = _node.Broadcasts;
        sent.ShouldAllBe(t => t.Transaction.Value == BigInteger.Zero && t.Sender == _platform.Address);
        return [.. sent.Select(t => (t.Transaction.To!.Value, Hex.Encode(t.Transaction.Data), t.Transaction.Nonce))];
    }

    /// <summary>The outbox holds exactly these steps, each the broadcast of that index, mined in its block, stored at the clock's time.</summary>
    private void ShouldHaveSteps(params (string Key, int Broadcast)[] steps)
    {
        var entries = _outbox.Entries;
        entries.Keys.Order(StringComparer.Ordinal).ShouldBe(steps.Select(s => s.Key).Order(StringComparer.Ordinal));
        foreach (var (key, index) in steps)
        {
            var tx = _node.Broadcasts[index];
            var entry = entries[key];
            entry.Sender.ShouldBe(PlatformLower);
            entry.Nonce.ShouldBe(tx.Transaction.Nonce);
            entry.TransactionHash.ShouldBe(tx.HashHex);
            entry.RawTransaction.ToArray().ShouldBe(tx.ToArray());
            entry.CreatedAt.ShouldBe(T0.AddHours(1));
            entry.MinedBlock.ShouldBe(_node.BlockOf(tx.HashHex));
        }
    }

    private static ChainActionResult Refused(string error) => new(ChainActionStatus.Reverted, string.Empty, 0, null, error);

    private static string Mint(long amount) => Hex.Encode(MintData(amount));

    private static byte[] MintData(BigInteger amount) =>
        FakeChainNode.Call("mint(address,uint256)", FakeChainNode.Word(Address.Parse(PlatformLower)), FakeChainNode.Word(amount));

    private static string Approve(long amount) => Hex.Encode(FakeChainNode.Call("approve(address,uint256)", FakeChainNode.Word(Channels), FakeChainNode.Word(amount)));

    private static string Burn(long amount) => Hex.Encode(FakeChainNode.Call("burn(uint256)", FakeChainNode.Word(amount)));

    private static string Open(Address payer, Address payee, uint period, long amount) => Hex.Encode(FakeChainNode.Call(
        "open(address,address,address,uint32,uint256)",
        FakeChainNode.Word(payer), FakeChainNode.Word(payee), FakeChainNode.Word(Token), FakeChainNode.Word(period), FakeChainNode.Word(amount)));

    private static string TopUp(ChannelParameters channel, long amount) => Hex.Encode(FakeChainNode.Call(
        "topUp((address,address,address,uint32,uint64),uint256)",
        FakeChainNode.Word(channel.Payer), FakeChainNode.Word(channel.Payee), FakeChainNode.Word(channel.Token),
        FakeChainNode.Word(channel.ChallengePeriodSeconds), FakeChainNode.Word(channel.Nonce), FakeChainNode.Word(amount)));
}
