using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Encoding;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Payer;

/// <summary>
/// <c>l2pay channel open | pay | receipts | status | close</c> as real processes against Anvil and a payee service:
/// each prints one JSON object, and the payer file carries the state from one process to the next.
/// </summary>
[Collection(PayeeCollection.Name)]
public sealed class PayerCliTests(PayeeWorldFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("payer-cli-");

    private string Db => Path.Combine(_folder.FullName, "payer.db");

    private string KeyFile => Path.Combine(_folder.FullName, "payer.key");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task OpenPayReceiptsClose_AsProcesses_PayeeHoldsNewestAndCloseSettles()
    {
        // An account of its own: the l2pay processes send its transactions, and the shared world's nonce manager must
        // not be surprised by them. The platform mints it tokens.
        await File.WriteAllTextAsync(KeyFile, fixture.Node.DevPrivateKeys[6]);
        using (var cliPayer = Ethereum.Signing.PrivateKey.ParseHex(fixture.Node.DevPrivateKeys[6]))
        {
            await fixture.World.Token.MintAsync(fixture.World.Platform, cliPayer.Address, 10_000_000);
        }

        await using var payee = await fixture.StartPayeeAsync(output);
        var common = new[] { "--payer-db", Db, "--key-file", KeyFile, "--rpc-url", fixture.Node.RpcUrl.ToString(), "--contract", fixture.Contract.ToString() };

        var open = await RunAsync(["channel", "open", .. common, "--payee", fixture.Payee.ToString(), "--token", fixture.World.Token.Address.ToString(),
            "--deposit", "1000000", "--payee-url", payee.Host.BaseUrl.ToString()]);
        var channelId = open.GetProperty("channelId").GetString()!;
        open.GetProperty("deposit").GetString().ShouldBe("1000000");
        await fixture.Node.MineAsync();
        var key = new Channels.Payee.ChannelKey(fixture.ChainId, fixture.Contract, ChannelId.Parse(channelId));
        await payee.WaitForStatusAsync(key, _ => true);

        for (var i = 1; i <= 3; i++)
        {
            var pay = await RunAsync(["channel", "pay", .. common, "--channel", channelId, "--amount", "2500"]);
            pay.GetProperty("outcome").GetString().ShouldBe("delivered");
            pay.GetProperty("signed").GetString().ShouldBe((2_500 * i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            pay.GetProperty("exposure").GetString().ShouldBe("0");
        }

        (await payee.NewestAsync(key))!.Cumulative.ShouldBe(new BigInteger(7_500));
        var receipts = await RunAsync(["channel", "receipts", "--payer-db", Db]);
        var listed = receipts.GetProperty("channels").EnumerateArray().ShouldHaveSingleItem();
        listed.GetProperty("charged").GetString().ShouldBe("7500");
        listed.GetProperty("receipts").EnumerateArray().Last().GetProperty("cumulativeAmount").GetString().ShouldBe("7500");
        listed.GetProperty("receipts").EnumerateArray().ShouldAllBe(r => r.GetProperty("signedByPayee").GetBoolean());

        var proposal = await RunAsync(["channel", "close", .. common, "--channel", channelId, "--propose"]);
        proposal.GetProperty("payerToPayee").GetString().ShouldBe("7500");
        var deadline = proposal.GetProperty("deadline").GetString()!; // the agreement's, chosen by --propose
        var payeeSignature = fixture.World.PayeeKey.Sign(Hex.Decode(proposal.GetProperty("digest").GetString()!));
        var closed = await RunAsync(["channel", "close", .. common, "--channel", channelId, "--payee-signature", payeeSignature.ToString(), "--close-deadline", deadline]);

        closed.GetProperty("result").GetString().ShouldBe("settled");
        closed.GetProperty("status").GetString().ShouldBe("closed");
        (await fixture.World.Channels.GetStateAsync(key.ChannelId)).Exists.ShouldBeFalse();
        var status = await RunAsync(["channel", "status", "--payer-db", Db, "--contract", fixture.Contract.ToString(), "--channel", channelId]);
        status.GetProperty("status").GetString().ShouldBe("closed");
    }

    [Fact]
    public async Task Pay_ProcessesKilledAtEveryStage_NeverSignLowerAndPayeeHoldsWhatThePayerSigned()
    {
        await File.WriteAllTextAsync(KeyFile, fixture.Node.DevPrivateKeys[6]);
        await using var payee = await fixture.StartPayeeAsync(output);
        var common = new[] { "--payer-db", Db, "--key-file", KeyFile, "--rpc-url", fixture.Node.RpcUrl.ToString(), "--contract", fixture.Contract.ToString() };
        var open = await RunAsync(["channel", "open", .. common, "--payee", fixture.Payee.ToString(), "--token", "eth", "--deposit", "1000000",
            "--payee-url", payee.Host.BaseUrl.ToString()]);
        var channelId = open.GetProperty("channelId").GetString()!;
        await fixture.Node.MineAsync();
        var key = new Channels.Payee.ChannelKey(fixture.ChainId, fixture.Contract, ChannelId.Parse(channelId));
        await payee.WaitForStatusAsync(key, _ => true);
        var printed = new List<BigInteger>();

        // kill -9 after 0, 90, …, 990 ms: before the key is read, while signing or writing, after the write and before
        // the send, after the send — whatever stage each process reached.
        for (var i = 0; i < 12; i++)
        {
            using var process = Start(["channel", "pay", .. common, "--channel", channelId, "--amount", "100"]);
            var stdout = process.StandardOutput.ReadToEndAsync();
            await Task.Delay(i * 90);
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            if (process.ExitCode == 0 && await stdout is { Length: > 0 } text)
            {
                printed.Add(BigInteger.Parse(JsonDocument.Parse(text).RootElement.GetProperty("signed").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var last = await RunAsync(["channel", "pay", .. common, "--channel", channelId, "--amount", "1", "--wait", "30"]);

        var signed = BigInteger.Parse(last.GetProperty("signed").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"{printed.Count} of 12 killed processes finished first; final signed {signed}");
        last.GetProperty("outcome").GetString().ShouldBe("delivered");
        last.GetProperty("exposure").GetString().ShouldBe("0");
        ((signed - 1) % 100).ShouldBe(BigInteger.Zero);
        signed.ShouldBeGreaterThan(printed.DefaultIfEmpty(BigInteger.Zero).Max());
        (await payee.NewestAsync(key))!.Cumulative.ShouldBe(signed);
    }

    private static Process Start(string[] args)
    {
        var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static ProcessStartInfo StartInfo(string[] args)
    {
        var apphost = Path.Combine(CliPayeeProcess.BuildFolder, "l2pay");
        var start = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (!File.Exists(apphost))
        {
            start.ArgumentList.Add(Path.Combine(CliPayeeProcess.BuildFolder, "l2pay.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private async Task<JsonElement> RunAsync(string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true); // a hung l2pay must not outlive the test
            await process.WaitForExitAsync();
            throw;
        }

        output.WriteLine($"l2pay {string.Join(' ', args.Take(2))} -> {process.ExitCode}: {await stdout}{await stderr}");
        process.ExitCode.ShouldBe(0, await stderr);
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }
}
