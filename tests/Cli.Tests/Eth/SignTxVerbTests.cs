using System.Text.Json;
using Settlement.Cli.Eth;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Transactions;

namespace Settlement.Cli.Tests.Eth;

[Collection("Console")]
public sealed class SignTxVerbTests : IDisposable
{
    private static readonly JsonElement Vectors = Load();
    private readonly string _directory = Directory.CreateTempSubdirectory("l2pay-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(149)]
    [InlineData(150)]
    [InlineData(222)]
    [InlineData(279)]
    public void SignTx_EthersVector_PrintsSameRawAndHash(int index)
    {
        var vector = Vectors.GetProperty("transactions")[index];
        var txPath = Write("tx.json", vector.GetProperty("tx").GetRawText());
        var keyPath = Write("key.txt", vector.GetProperty("privateKey").GetString() + "\n");

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "sign-tx", "--private-key-file", keyPath, "--tx", txPath);

        exitCode.ShouldBe(0, stderr);
        stderr.ShouldBeEmpty();
        stdout.ShouldBe($"{{\"raw\":\"{vector.GetProperty("raw").GetString()}\",\"hash\":\"{vector.GetProperty("hash").GetString()}\"}}\n");
    }

    [Fact]
    public void SignTx_HexDecimalAndNumberQuantities_SameAsAllHex()
    {
        var keyPath = Write("key.txt", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n");
        var mixed = Write("mixed.json", """
            {"type":2,"chainId":"31337","nonce":3,"to":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","value":"1000000000000000000",
             "input":"0x","gas":"21000","maxFeePerGas":30000000000,"maxPriorityFeePerGas":"0x3b9aca00","from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"}
            """);
        var hex = Write("hex.json", """
            {"type":"0x2","chainId":"0x7a69","nonce":"0x3","to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","value":"0xde0b6b3a7640000",
             "data":"0x","gas":"0x5208","maxFeePerGas":"0x6fc23ac00","maxPriorityFeePerGas":"0x3b9aca00","accessList":[]}
            """);

        var a = CliRunner.Run(EthCommand.Create(), "eth", "sign-tx", "--private-key-file", keyPath, "--tx", mixed);
        var b = CliRunner.Run(EthCommand.Create(), "eth", "sign-tx", "--private-key-file", keyPath, "--tx", hex);

        a.ExitCode.ShouldBe(0, a.Stderr);
        a.Stdout.ShouldBe(b.Stdout);
        using var output = JsonDocument.Parse(a.Stdout);
        var decoded = SignedTransaction.Decode(Hex.Decode(output.RootElement.GetProperty("raw").GetString()!), 31337);
        decoded.Sender.ToString().ShouldBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        decoded.HashHex.ShouldBe(output.RootElement.GetProperty("hash").GetString());
    }

    [Fact]
    public void SignTx_FromOfAnotherAccount_FailsWithoutOutput()
    {
        var keyPath = Write("key.txt", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n");
        var txPath = Write("tx.json", """{"type":2,"chainId":1,"nonce":0,"gas":21000,"maxFeePerGas":1,"maxPriorityFeePerGas":1,"from":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}""");

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "sign-tx", "--private-key-file", keyPath, "--tx", txPath);

        exitCode.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain("from");
        stderr.ShouldNotContain("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    }

    [Theory]
    [InlineData("""{"type":2,"nonce":0,"gas":21000,"maxFeePerGas":1,"maxPriorityFeePerGas":1}""", "chainId")]
    [InlineData("""{"type":2,"chainId":1,"nonce":0,"gas":21000,"maxFeePerGas":1,"maxPriorityFee":1}""", "maxPriorityFee")]
    [InlineData("""{"type":0,"nonce":0,"gas":21000,"gasPrice":1}""", "chainId")]
    [InlineData("""not json""", "error")]
    public void SignTx_InvalidTransaction_FailsNamingTheProblem(string json, string expected)
    {
        var keyPath = Write("key.txt", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n");
        var txPath = Write("tx.json", json);

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "sign-tx", "--private-key-file", keyPath, "--tx", txPath);

        exitCode.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain(expected);
    }

    [Fact]
    public async Task SignTx_BuiltL2payProcess_MatchesEthers()
    {
        var vector = Vectors.GetProperty("transactions")[5];
        var txPath = Write("tx.json", vector.GetProperty("tx").GetRawText());
        var keyPath = Write("key.txt", vector.GetProperty("privateKey").GetString() + "\n");

        var result = await L2pay.RunAsync("eth", "sign-tx", "--private-key-file", keyPath, "--tx", txPath);

        result.ExitCode.ShouldBe(0, result.Stderr);
        using var output = JsonDocument.Parse(result.Stdout);
        output.RootElement.GetProperty("raw").GetString().ShouldBe(vector.GetProperty("raw").GetString());
        output.RootElement.GetProperty("hash").GetString().ShouldBe(vector.GetProperty("hash").GetString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "transactions-ethers.json")));
        return doc.RootElement.Clone();
    }
}
