using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Tokens;

/// <summary>
/// A client for one deployed <c>TestStablecoin</c> (tGBP, 6 decimals, <c>contracts/src/TestStablecoin.sol</c>): the
/// platform treasury deploys and mints it against GBP it holds and burns what it takes back; anyone approves,
/// transfers and reads balances. Transactions go through an <see cref="IContractTransactor"/>.
/// </summary>
public sealed class StablecoinContract
{
    private readonly EthereumRpcClient _rpc;

    /// <summary>Binds to the token at <paramref name="address"/> on the chain <paramref name="rpc"/> serves.</summary>
    public StablecoinContract(EthereumRpcClient rpc, Address address)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
        Address = address;
    }

    /// <summary>The token's ABI (from the generated artifact).</summary>
    public static ContractAbi Abi { get; } = ContractAbi.FromJson(ContractArtifact.TestStablecoin.AbiJson);

    /// <summary>The token's address.</summary>
    public Address Address { get; }

    /// <summary>Deploys a new token whose owner (the only minter) is <paramref name="treasury"/>.</summary>
    public static async Task<StablecoinContract> DeployAsync(
        EthereumRpcClient rpc, IContractTransactor deployer, Address treasury, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(deployer);
        var data = ContractArtifact.TestStablecoin.Bytecode.ToArray().Concat(AbiEncoder.Encode([AbiType.Address], [treasury])).ToArray();
        var receipt = await deployer.SendAsync(null, data, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is not { } address)
        {
            throw new InvalidOperationException("The TestStablecoin deployment reverted.");
        }

        return new StablecoinContract(rpc, address);
    }

    /// <summary>Issues <paramref name="amount"/> base units to <paramref name="to"/> (owner only).</summary>
    public Task<TransactionReceipt> MintAsync(IContractTransactor owner, Address to, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "mint", cancellationToken, to, amount);

    /// <summary>Destroys <paramref name="amount"/> of the sender's own tokens.</summary>
    public Task<TransactionReceipt> BurnAsync(IContractTransactor holder, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(holder, "burn", cancellationToken, amount);

    /// <summary>Lets <paramref name="spender"/> pull up to <paramref name="amount"/> from the sender.</summary>
    public Task<TransactionReceipt> ApproveAsync(IContractTransactor owner, Address spender, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(owner, "approve", cancellationToken, spender, amount);

    /// <summary>Moves <paramref name="amount"/> from the sender to <paramref name="to"/>.</summary>
    public Task<TransactionReceipt> TransferAsync(IContractTransactor from, Address to, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(from, "transfer", cancellationToken, to, amount);

    /// <summary>The balance of <paramref name="owner"/> at <paramref name="block"/> (latest by default).</summary>
    public async Task<BigInteger> BalanceOfAsync(Address owner, BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        (BigInteger)(await CallAsync("balanceOf", block, cancellationToken, owner).ConfigureAwait(false))[0]!;

    /// <summary>Tokens outstanding (minted minus burned) at <paramref name="block"/> (latest by default).</summary>
    public async Task<BigInteger> TotalSupplyAsync(BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        (BigInteger)(await CallAsync("totalSupply", block, cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary>The token's decimals (6).</summary>
    public async Task<int> DecimalsAsync(CancellationToken cancellationToken = default) =>
        (int)(BigInteger)(await CallAsync("decimals", null, cancellationToken).ConfigureAwait(false))[0]!;

    private async Task<TransactionReceipt> SendAsync(IContractTransactor sender, string function, CancellationToken cancellationToken, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var receipt = await sender.SendAsync(Address, Abi.Function(function).EncodeCall(args), BigInteger.Zero, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            throw new InvalidOperationException($"TestStablecoin.{function} from {sender.Sender} reverted.");
        }

        return receipt;
    }

    private async Task<object?[]> CallAsync(string function, BlockParameter? block, CancellationToken cancellationToken, params object?[] args)
    {
        var abiFunction = Abi.Function(function);
        var output = await _rpc.CallAsync(new CallRequest { To = Address, Data = abiFunction.EncodeCall(args) }, block, cancellationToken).ConfigureAwait(false);
        return abiFunction.DecodeOutput(output);
    }
}
