using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Tests.Payer;

/// <summary>
/// The payer's verbs of <c>l2pay channel</c> over a payer file the test prepares, without a chain: <c>pay</c> for a
/// channel with no payee stream (the voucher is signed and stored), refusals, <c>receipts</c> and <c>status --payer-db</c>.
/// </summary>
public sealed class ChannelPayerVerbTests : IDisposable
{
    private const string PayerHex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    private static readonly Address Contract = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "l2pay-payer-" + Guid.NewGuid().ToString("N"));
    private readonly PrivateKey _payer = PrivateKey.ParseHex(PayerHex);
    private readonly PrivateKey _payee = PrivateKey.Create(Enumerable.Repeat((byte)0x22, 32).ToArray());
    private readonly ChannelParameters _channel;

    public ChannelPayerVerbTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(KeyPath, PayerHex);
        _channel = new ChannelParameters(_payer.Address, _payee.Address, Address.Zero, 3600, 7);
    }

    private string Db => Path.Combine(_dir, "payer.db");

    private string KeyPath => Path.Combine(_dir, "payer.key");

    private ChannelKey Key => new(31337, Contract, _channel.Id);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        _payer.Dispose();
        _payee.Dispose();
    }

    [Fact]
    public async Task Pay_NoPayeeStream_SignsStoresAndPrintsState()
    {
        await SeedAsync(deposit: 1_000);

        var first = await PayAsync("300");
        var second = await PayAsync("200");

        first.ExitCode.ShouldBe(0, first.Stderr);
        second.ExitCode.ShouldBe(0, second.Stderr);
        var json = JsonDocument.Parse(second.Stdout).RootElement;
        json.GetProperty("outcome").GetString().ShouldBe("signed");
        json.GetProperty("signed").GetString().ShouldBe("500");
        json.GetProperty("exposure").GetString().ShouldBe("500");
        json.GetProperty("remaining").GetString().ShouldBe("500");
        var stored = await new SqlitePayerStore(Db).GetChannelAsync(Key);
        stored!.SignedAmount.ShouldBe(new BigInteger(500));
        stored.Signed!.Voucher.TryRecoverSigner(new ChannelDomain(31337, Contract), stored.Signed.Signature, out var signer).ShouldBeTrue();
        signer.ShouldBe(_payer.Address);
    }

    [Fact]
    public async Task Pay_BeyondDeposit_RefusedExit3WithReasonAndFileUnchanged()
    {
        await SeedAsync(deposit: 1_000);
        (await PayAsync("900")).ExitCode.ShouldBe(0);

        var run = await PayAsync("101");

        run.ExitCode.ShouldBe(3, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.GetProperty("outcome").GetString().ShouldBe("refused");
        json.GetProperty("reason").GetString().ShouldBe("exceedsDeposit");
        json.GetProperty("signed").GetString().ShouldBe("900");
        (await new SqlitePayerStore(Db).GetChannelAsync(Key))!.SignedAmount.ShouldBe(new BigInteger(900));
    }

    [Fact]
    public async Task Pay_ChannelNotInFile_FailsNamingIt()
    {
        await SeedAsync(deposit: 1_000);

        var run = await L2pay.RunAsync("channel", "pay", "--payer-db", Db, "--key-file", KeyPath, "--contract", Contract.ToString(),
            "--channel", "0x" + new string('1', 64), "--amount", "5");

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("holds no channel");
    }

    [Theory]
    [InlineData("--amount", "-5", "--amount must be")]
    [InlineData("--amount", "1.5", "--amount must be")]
    [InlineData("--channel", "0x12", "--channel must be 32 bytes")]
    public async Task Pay_BadArgument_UsageErrorNamingIt(string option, string value, string message)
    {
        var args = new Dictionary<string, string>
        {
            ["--payer-db"] = Db, ["--key-file"] = KeyPath, ["--contract"] = Contract.ToString(), ["--channel"] = _channel.Id.ToString(), ["--amount"] = "5",
        };
        args[option] = value;

        var run = await L2pay.RunAsync(["channel", "pay", .. args.SelectMany(p => new[] { p.Key, p.Value })]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain(message);
    }

    [Fact]
    public async Task Receipts_ChannelWithReceiptsAndRefund_ListsChargedPerChannel()
    {
        await SeedAsync(deposit: 1_000);
        (await PayAsync("700")).ExitCode.ShouldBe(0);
        var store = new SqlitePayerStore(Db);
        await store.SaveVouchersAsync([new PayerVoucherWrite(Key, null, 600)]);
        var signer = new ReceiptSigner(_payee);
        foreach (var amount in new[] { 250, 600 })
        {
            var r = signer.Sign(Key, amount, 1_700_000_000);
            await store.AppendReceiptAsync(new PayerReceipt(Key, r.Cumulative, r.IssuedAt, r.Signature, DateTimeOffset.UnixEpoch));
        }

        var run = await L2pay.RunAsync("channel", "receipts", "--payer-db", Db);

        run.ExitCode.ShouldBe(0, run.Stderr);
        var channel = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("channels").EnumerateArray().ShouldHaveSingleItem();
        channel.GetProperty("channelId").GetString().ShouldBe(_channel.Id.ToString());
        channel.GetProperty("signed").GetString().ShouldBe("700");
        channel.GetProperty("charged").GetString().ShouldBe("600");
        channel.GetProperty("exposure").GetString().ShouldBe("100");
        var receipts = channel.GetProperty("receipts").EnumerateArray().ToArray();
        receipts.Select(r => r.GetProperty("charged").GetString()).ShouldBe(["250", "350"]);
        receipts.ShouldAllBe(r => r.GetProperty("signedByPayee").GetBoolean());
    }

    [Fact]
    public async Task Status_PayerDb_PrintsThePayersView()
    {
        await SeedAsync(deposit: 1_000);
        (await PayAsync("42")).ExitCode.ShouldBe(0);

        var run = await L2pay.RunAsync("channel", "status", "--payer-db", Db, "--contract", Contract.ToString(), "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.GetProperty("signed").GetString().ShouldBe("42");
        json.GetProperty("charged").GetString().ShouldBe("0");
        json.GetProperty("remaining").GetString().ShouldBe("958");
        json.GetProperty("status").GetString().ShouldBe("open");
    }

    [Fact]
    public async Task Status_PayerDbAndDbTogether_UsageError()
    {
        var run = await L2pay.RunAsync("channel", "status", "--payer-db", Db, "--db", Db, "--contract", Contract.ToString(), "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("exactly one of --payee-url, --db and --payer-db");
    }

    private Task<CliRun> PayAsync(string amount) =>
        L2pay.RunAsync("channel", "pay", "--payer-db", Db, "--key-file", KeyPath, "--contract", Contract.ToString(), "--channel", _channel.Id.ToString(), "--amount", amount);

    private async Task SeedAsync(BigInteger deposit)
    {
        var store = new SqlitePayerStore(Db);
        await store.SaveChannelAsync(new PayerChannelRecord(Key, _channel, deposit, 0, null, PayerChannelStatus.Open));
    }
}
