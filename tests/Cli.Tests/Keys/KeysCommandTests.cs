using System.Text.Json;
using Settlement.Ethereum.Keystore;

namespace Settlement.Cli.Tests.Keys;

public sealed class KeysCommandTests : IDisposable
{
    private const string KeyHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    private const string KeyAddress = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
    private const string Password = "cli test password";

    private readonly string _dir = Directory.CreateTempSubdirectory("l2pay-keys-").FullName;

    private static Dictionary<string, string?> WithPassword(string password) => new() { ["L2PAY_KEYSTORE_PASSWORD"] = password };

    [Theory]
    [InlineData("pbkdf2")]
    [InlineData("scrypt")]
    public async Task New_WithKdf_PrintsOneJsonObjectAndWritesOwnerOnlyKeystore(string kdf)
    {
        var path = Path.Combine(_dir, $"new-{kdf}.json");
        var run = await L2pay.RunAsync(WithPassword(Password), "keys", "new", "--keystore", path, "--kdf", kdf);

        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stderr.ShouldBeEmpty();
        var output = SingleJsonObject(run.Stdout);
        output.GetProperty("kdf").GetString().ShouldBe(kdf);
        output.GetProperty("keystore").GetString().ShouldBe(path);

        using var key = Web3SecretStorage.Decrypt(File.ReadAllText(path), Password);
        output.GetProperty("address").GetString().ShouldBe(key.Address.ToString());
        JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("crypto").GetProperty("kdf").GetString().ShouldBe(kdf);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task New_ExistingFile_FailsAndLeavesItAlone()
    {
        var path = Path.Combine(_dir, "existing.json");
        File.WriteAllText(path, "keep me");
        var run = await L2pay.RunAsync(WithPassword(Password), "keys", "new", "--keystore", path, "--kdf", "pbkdf2");

        run.ExitCode.ShouldNotBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("exists");
        File.ReadAllText(path).ShouldBe("keep me");
    }

    [Fact]
    public async Task Address_PlainKeyFile_PrintsAddressOnly()
    {
        var keyFile = Path.Combine(_dir, "key.txt");
        File.WriteAllText(keyFile, KeyHex + "\n");
        var run = await L2pay.RunAsync("keys", "address", "--key-file", keyFile);

        run.ExitCode.ShouldBe(0, run.Stderr);
        var output = SingleJsonObject(run.Stdout);
        output.GetProperty("address").GetString().ShouldBe(KeyAddress);
        output.EnumerateObject().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Import_ThenAddressOfKeystore_GivesKeyFileAddressAndNeverPrintsKey()
    {
        var keyFile = Path.Combine(_dir, "key.txt");
        var keystore = Path.Combine(_dir, "imported.json");
        File.WriteAllText(keyFile, KeyHex + "\n");

        var import = await L2pay.RunAsync(WithPassword(Password), "keys", "import", "--private-key-file", keyFile, "--keystore", keystore, "--kdf", "pbkdf2");
        import.ExitCode.ShouldBe(0, import.Stderr);
        SingleJsonObject(import.Stdout).GetProperty("address").GetString().ShouldBe(KeyAddress);
        (import.Stdout + import.Stderr + File.ReadAllText(keystore)).ShouldNotContain(KeyHex[2..], Case.Insensitive);

        var address = await L2pay.RunAsync(WithPassword(Password), "keys", "address", "--key-file", keystore);
        address.ExitCode.ShouldBe(0, address.Stderr);
        SingleJsonObject(address.Stdout).GetProperty("address").GetString().ShouldBe(KeyAddress);
    }

    [Fact]
    public async Task Address_KeystoreWrongPassword_ErrorOnStderrNothingOnStdout()
    {
        var keystore = await ImportedKeystoreAsync();
        var run = await L2pay.RunAsync(WithPassword("not the password"), "keys", "address", "--key-file", keystore);

        run.ExitCode.ShouldNotBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("Wrong password");
        run.Stderr.ShouldNotContain("not the password");
    }

    [Fact]
    public async Task Address_KeystoreWithoutPasswordOrTerminal_FailsInsteadOfWaiting()
    {
        var keystore = await ImportedKeystoreAsync();
        var run = await L2pay.RunAsync("keys", "address", "--key-file", keystore);

        run.ExitCode.ShouldNotBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldContain("L2PAY_KEYSTORE_PASSWORD");
    }

    [Fact]
    public async Task New_UnknownKdf_IsUsageErrorWithNothingOnStdout()
    {
        var run = await L2pay.RunAsync(WithPassword(Password), "keys", "new", "--keystore", Path.Combine(_dir, "x.json"), "--kdf", "argon2");
        run.ExitCode.ShouldNotBe(0);
        File.Exists(Path.Combine(_dir, "x.json")).ShouldBeFalse();
        run.Stdout.ShouldNotContain("{");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> ImportedKeystoreAsync()
    {
        var keyFile = Path.Combine(_dir, "key.txt");
        var keystore = Path.Combine(_dir, "k.json");
        File.WriteAllText(keyFile, KeyHex);
        var run = await L2pay.RunAsync(WithPassword(Password), "keys", "import", "--private-key-file", keyFile, "--keystore", keystore, "--kdf", "pbkdf2");
        run.ExitCode.ShouldBe(0, run.Stderr);
        return keystore;
    }

    private static JsonElement SingleJsonObject(string stdout)
    {
        stdout.ShouldEndWith("\n");
        stdout.TrimEnd('\n').ShouldNotContain("\n");
        using var document = JsonDocument.Parse(stdout);
        document.RootElement.ValueKind.ShouldBe(JsonValueKind.Object);
        return document.RootElement.Clone();
    }
}
