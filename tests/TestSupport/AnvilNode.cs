using System.Diagnostics;
using System.Globalization;

namespace Settlement.Testing;

/// <summary>
/// A real Anvil node (Foundry, from the @foundry-rs/anvil npm package) with the ten development
/// accounts, chain id 31337 and automatic mining.
/// </summary>
public sealed class AnvilNode : EthereumDevNode
{
    /// <inheritdoc />
    public override string Name => "anvil";

    /// <inheritdoc />
    protected override string SetBalanceMethod => "anvil_setBalance";

    /// <inheritdoc />
    protected override ProcessStartInfo CreateStartInfo(int port)
    {
        var info = new ProcessStartInfo(RepositoryPaths.AnvilBinary);
        info.ArgumentList.Add("--host");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--chain-id");
        info.ArgumentList.Add(DefaultChainId.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--mnemonic");
        info.ArgumentList.Add(DevAccounts.Mnemonic);
        info.ArgumentList.Add("--accounts");
        info.ArgumentList.Add("10");
        return info;
    }
}
