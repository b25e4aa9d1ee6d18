using System.Diagnostics;
using System.Globalization;

namespace Settlement.Testing;

/// <summary>
/// A real Hardhat 2 network node (<c>hardhat node</c> with contracts/hardhat.config.cjs: chain id
/// 31337, automatic mining, the default development accounts).
/// </summary>
public sealed class HardhatNode : EthereumDevNode
{
    /// <inheritdoc />
    public override string Name => "hardhat";

    /// <inheritdoc />
    protected override string SetBalanceMethod => "hardhat_setBalance";

    /// <inheritdoc />
    protected override ProcessStartInfo CreateStartInfo(int port)
    {
        var cli = RepositoryPaths.HardhatCli;
        var contracts = Path.Combine(RepositoryPaths.Root, "contracts");
        var info = new ProcessStartInfo("node") { WorkingDirectory = contracts };
        info.ArgumentList.Add(cli);
        info.ArgumentList.Add("node");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(Path.Combine(contracts, "hardhat.config.cjs"));
        info.ArgumentList.Add("--hostname");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.Environment["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
        return info;
    }
}
