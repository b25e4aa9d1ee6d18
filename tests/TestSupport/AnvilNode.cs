using System.Diagnostics;
using Settlement.DevChain;

namespace Settlement.Testing;

/// <summary>
/// A real Anvil node (Foundry, from the @foundry-rs/anvil npm package) with the ten development
/// accounts, chain id 31337 and automatic mining. The command line is the product's
/// <see cref="AnvilProcess"/> one, so tests and <c>l2pay demo</c> start Anvil the same way.
/// </summary>
public sealed class AnvilNode : EthereumDevNode
{
    /// <inheritdoc />
    public override string Name => "anvil";

    /// <inheritdoc />
    protected override string SetBalanceMethod => "anvil_setBalance";

    /// <inheritdoc />
    protected override ProcessStartInfo CreateStartInfo(int port) =>
        AnvilProcess.CreateStartInfo(
            new AnvilOptions
            {
                BinaryPath = RepositoryPaths.AnvilBinary,
                ChainId = DefaultChainId,
                Mnemonic = DevAccounts.Mnemonic,
                Accounts = 10,
            },
            port);
}
