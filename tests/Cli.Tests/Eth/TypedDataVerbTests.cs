using System.Text.Json;
using Settlement.Cli.Eth;

namespace Settlement.Cli.Tests.Eth;

[Collection("Console")]
public sealed class TypedDataVerbTests : IDisposable
{
    private static readonly JsonElement Vectors = Load();
    private readonly string _directory = Directory.CreateTempSubdirectory("l2pay-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(131)]
    public void SignTypedData_EthersVector_PrintsDigestSignatureAndSigner(int index)
    {
        var vector = Vectors.GetProperty("documents")[index];
        var typedDataPath = Write("typed.json", vector.GetProperty("typedData").GetRawText());
        var keyPath = Write("key.txt", Vectors.GetProperty("privateKey").GetString() + "\n");

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "sign-typed-data", "--private-key-file", keyPath, "--typed-data", typedDataPath);

        exitCode.ShouldBe(0, stderr);
        stderr.ShouldBeEmpty();
        stdout.Count(c => c == '\n').ShouldBe(1);
        using var output = JsonDocument.Parse(stdout);
        output.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(["digest", "signature", "signer"]);
        output.RootElement.GetProperty("digest").GetString().ShouldBe(vector.GetProperty("digest").GetString());
        output.RootElement.GetProperty("signature").GetString().ShouldBe(vector.GetProperty("signature").GetString());
        output.RootElement.GetProperty("signer").GetString().ShouldBe(Vectors.GetProperty("signer").GetString());
    }

    [Fact]
    public async Task SignThenRecover_BuiltL2payProcess_MatchesEthers()
    {
        var vector = Vectors.GetProperty("documents")[42];
        var typedDataPath = Write("typed.json", vector.GetProperty("typedData").GetRawText());
        var keyPath = Write("key.txt", Vectors.GetProperty("privateKey").GetString() + "\n");

        var sign = await L2pay.RunAsync("eth", "sign-typed-data", "--private-key-file", keyPath, "--typed-data", typedDataPath);
        sign.ExitCode.ShouldBe(0, sign.Stderr);
        using var signed = JsonDocument.Parse(sign.Stdout);
        signed.RootElement.GetProperty("signature").GetString().ShouldBe(vector.GetProperty("signature").GetString());

        var recover = await L2pay.RunAsync("eth", "recover-typed-data", "--typed-data", typedDataPath,
            "--signature", signed.RootElement.GetProperty("signature").GetString()!);
        recover.ExitCode.ShouldBe(0, recover.Stderr);
        recover.Stdout.ShouldBe($"{{\"signer\":\"{Vectors.GetProperty("signer").GetString()}\"}}\n");
    }

    [Fact]
    public void RecoverTypedData_EthersVector_PrintsSigner()
    {
        var vector = Vectors.GetProperty("documents")[3];
        var typedDataPath = Write("typed.json", vector.GetProperty("typedData").GetRawText());

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "recover-typed-data", "--typed-data", typedDataPath,
            "--signature", vector.GetProperty("signature").GetString()!);

        exitCode.ShouldBe(0, stderr);
        using var output = JsonDocument.Parse(stdout);
        output.RootElement.GetProperty("signer").GetString().ShouldBe(Vectors.GetProperty("signer").GetString());
    }

    [Fact]
    public void RecoverTypedData_SignatureOfAnotherDocument_PrintsAnotherSigner()
    {
        var typedDataPath = Write("typed.json", Vectors.GetProperty("documents")[3].GetProperty("typedData").GetRawText());
        var otherSignature = Vectors.GetProperty("documents")[4].GetProperty("signature").GetString()!;

        var (exitCode, stdout, _) = CliRunner.Run(EthCommand.Create(), "eth", "recover-typed-data", "--typed-data", typedDataPath, "--signature", otherSignature);

        exitCode.ShouldBe(0);
        using var output = JsonDocument.Parse(stdout);
        output.RootElement.GetProperty("signer").GetString().ShouldNotBe(Vectors.GetProperty("signer").GetString());
    }

    [Theory]
    [InlineData("0x1234")]
    [InlineData("not hex")]
    public void RecoverTypedData_MalformedSignature_FailsOnStderr(string signature)
    {
        var typedDataPath = Write("typed.json", Vectors.GetProperty("documents")[3].GetProperty("typedData").GetRawText());

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "recover-typed-data", "--typed-data", typedDataPath, "--signature", signature);

        exitCode.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.ShouldStartWith("error:");
    }

    [Fact]
    public void SignTypedData_InvalidDocument_FailsWithoutPrintingOrLeakingTheKey()
    {
        var key = Vectors.GetProperty("privateKey").GetString()!;
        var keyPath = Write("key.txt", key);
        var typedDataPath = Write("typed.json", """{"types":{"T":[{"name":"v","type":"uint8"}]},"primaryType":"T","domain":{},"message":{"v":300}}""");

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "sign-typed-data", "--private-key-file", keyPath, "--typed-data", typedDataPath);

        exitCode.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain("out of range");
        stderr.ShouldNotContain(key[2..]);
    }

    [Fact]
    public void SignTypedData_MissingKeyFile_Fails()
    {
        var typedDataPath = Write("typed.json", Vectors.GetProperty("documents")[0].GetProperty("typedData").GetRawText());

        var (exitCode, stdout, stderr) = CliRunner.Run(EthCommand.Create(), "eth", "sign-typed-data", "--private-key-file",
            Path.Combine(_directory, "absent.txt"), "--typed-data", typedDataPath);

        exitCode.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.ShouldNotBeEmpty();
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "eip712-ethers.json")));
        return doc.RootElement.Clone();
    }
}
