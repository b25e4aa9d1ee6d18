using Settlement.DevChain;
using Settlement.Ethereum.Rpc;
using Settlement.Testing;

namespace Settlement.Ethereum.IntegrationTests.DevChain;

public sealed class AnvilProcessTests
{
    [Fact]
    public async Task StartAsync_OtherChainId_ServesItAndStopsOnDispose()
    {
        using var http = new HttpClient();
        var anvil = await AnvilProcess.StartAsync(new AnvilOptions { BinaryPath = RepositoryPaths.AnvilBinary, ChainId = 4242 });
        var rpc = new EthereumRpcClient(http, new EthereumRpcOptions { Url = anvil.RpcUrl, ChainId = 4242, MaxRetries = 0 });
        try
        {
            anvil.RpcUrl.Host.ShouldBe("127.0.0.1");
            anvil.ChainId.ShouldBe(4242UL);
            (await rpc.GetChainIdAsync()).ShouldBe(4242UL);
        }
        finally
        {
            await anvil.DisposeAsync();
        }

        await Should.ThrowAsync<JsonRpcTransportException>(() => rpc.GetChainIdAsync());
        await anvil.DisposeAsync(); // idempotent
    }

    [Fact]
    public void FindBinary_FromTheTestFolder_FindsTheRepositoryAnvil() =>
        Path.GetFullPath(AnvilProcess.FindBinary()).ShouldBe(Path.GetFullPath(RepositoryPaths.AnvilBinary));

    [Fact]
    public void FindBinary_OutsideAnyCheckout_SaysHowToFixIt()
    {
        var error = Should.Throw<FileNotFoundException>(() => AnvilProcess.FindBinary(Path.GetTempPath()));
        error.Message.ShouldContain(AnvilProcess.BinaryEnvironmentVariable);
    }

    [Fact]
    public void CreateStartInfo_Options_BindsLoopbackWithTheGivenChainAndMnemonic()
    {
        var info = AnvilProcess.CreateStartInfo(new AnvilOptions { BinaryPath = "/bin/anvil", ChainId = 7, Mnemonic = DevAccounts.Mnemonic, Accounts = 3 }, 1234);
        info.FileName.ShouldBe("/bin/anvil");
        info.ArgumentList.ShouldBe(["--host", "127.0.0.1", "--port", "1234", "--chain-id", "7", "--mnemonic", DevAccounts.Mnemonic, "--accounts", "3"]);
    }
}
