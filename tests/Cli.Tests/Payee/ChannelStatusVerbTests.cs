using System.Text.Json;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.Ethereum.Addresses;

namespace Settlement.Cli.Tests.Payee;

public sealed class ChannelStatusVerbTests : IDisposable
{
    private const string Contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private static readonly Address Payer = Address.Parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    private static readonly Address Payee = Address.Parse("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "l2pay-status-" + Guid.NewGuid().ToString("N"));
    private readonly ChannelParameters _channel = new(Payer, Payee, Address.Zero, 3600, 7);

    public ChannelStatusVerbTests() => Directory.CreateDirectory(_dir);

    private string Db => Path.Combine(_dir, "payee.db");

    private ChannelKey Key => new(31337, Address.Parse(Contract), _channel.Id);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Status_FromDatabase_PrintsPaidRemainingAndNewestVoucher()
    {
        var signature = new byte[65];
        signature[31] = 1;
        signature[63] = 1;
        signature[64] = 27;
        var store = new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = Db });
        await store.MigrateAsync();
        await store.SaveChannelAsync(new StoredChannel(new PayeeChannelView(Key, _channel, 1_000, 100, 0, 0, 0, false), 12));
        await store.SaveNewestAsync([new StoredVoucher(Key, Payer, 400, signature, DateTimeOffset.UnixEpoch)]);

        var run = await L2pay.RunAsync("channel", "status", "--db", Db, "--contract", Contract, "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.GetProperty("channelId").GetString().ShouldBe(_channel.Id.ToString());
        json.GetProperty("paid").GetString().ShouldBe("400");
        json.GetProperty("remaining").GetString().ShouldBe("600");
        json.GetProperty("deposit").GetString().ShouldBe("1000");
        json.GetProperty("redeemed").GetString().ShouldBe("100");
        json.GetProperty("open").GetBoolean().ShouldBeTrue();
        json.GetProperty("payer").GetString().ShouldBe(Payer.ToString());
        json.GetProperty("viewBlock").GetUInt64().ShouldBe(12UL);
        json.GetProperty("newestVoucher").GetProperty("cumulativeAmount").GetString().ShouldBe("400");
        json.GetProperty("newestVoucher").GetProperty("signature").GetString().ShouldBe(Convert.ToHexStringLower(signature).Insert(0, "0x"));
    }

    [Fact]
    public async Task Status_ChannelNotInDatabase_FailsNamingIt()
    {
        var store = new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = Db });
        await store.MigrateAsync();

        var run = await L2pay.RunAsync("channel", "status", "--db", Db, "--contract", Contract, "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("holds nothing for channel");
    }

    [Fact]
    public async Task Status_NoDatabaseFile_FailsWithoutCreatingOne()
    {
        var run = await L2pay.RunAsync("channel", "status", "--db", Db, "--contract", Contract, "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("no payee database");
        File.Exists(Db).ShouldBeFalse();
    }

    [Theory]
    [InlineData("--channel", "0x1234", "--channel must be 32 bytes")]
    [InlineData("--contract", "0x12", "--contract must be a 20-byte")]
    public async Task Status_BadArgument_UsageErrorNamingIt(string option, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--channel"] = _channel.Id.ToString(), ["--contract"] = Contract, ["--db"] = Db };
        args[option] = value;

        var run = await L2pay.RunAsync(["channel", "status", .. args.SelectMany(p => new[] { p.Key, p.Value })]);

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain(message);
    }

    [Fact]
    public async Task Status_BothSources_UsageError()
    {
        var run = await L2pay.RunAsync("channel", "status", "--db", Db, "--payee-url", "http://127.0.0.1:1/", "--contract", Contract, "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(2);
        run.Stderr.ShouldContain("exactly one of --payee-url, --db and --payer-db");
    }

    [Fact]
    public async Task Status_PayeeNotRunning_FailsWithConnectionError()
    {
        var run = await L2pay.RunAsync("channel", "status", "--payee-url", "http://127.0.0.1:1/", "--contract", Contract, "--channel", _channel.Id.ToString());

        run.ExitCode.ShouldBe(1);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldStartWith("error:");
    }
}
