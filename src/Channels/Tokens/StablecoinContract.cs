using System.Numerics;
using Nethereum.Contracts;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated.TestStablecoinContract;
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

    /// <summary>
    /// Binds to the token at <paramref name="address"/> through a Nethereum <see cref="Nethereum.Web3.IWeb3"/>'s client,
    /// after checking that its node serves <paramref name="chainId"/>.
    /// </summary>
    /// <exception cref="ChainIdMismatchException">The node behind <paramref name="web3"/> serves another chain.</exception>
    public static async Task<StablecoinContract> FromWeb3Async(
        Nethereum.Web3.IWeb3 web3, Address address, ulong chainId, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default) =>
        new(await Web3Rpc.ConnectAsync(web3, chainId, timeProvider, cancellationToken).ConfigureAwait(false), address);

    /// <summary>The token's address.</summary>
    public Address Address { get; }

    /// <summary>Deploys a new token whose owner (the only minter) is <paramref name="treasury"/>.</summary>
    public static async Task<StablecoinContract> DeployAsync(
        EthereumRpcClient rpc, IContractTransactor deployer, Address treasury, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(deployer);
        var data = new TestStablecoinDeployment { Treasury = ContractMessages.Hex(treasury) }.GetDeploymentData();
        var receipt = await deployer.SendAsync(null, data, BigInteger.Zero, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is not { } address)
        {
            throw new InvalidOperationException("The TestStablecoin deployment reverted.");
        }

        return new StablecoinContract(rpc, address);
    }

    /// <summary>Issues <paramref name="amount"/> base units to <paramref name="to"/> (owner only).</summary>
    public Task<TransactionReceipt> MintAsync(IContractTransactor owner, Address to, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(owner, new MintFunction { To = ContractMessages.Hex(to), Amount = amount }, cancellationToken);

    /// <summary>Destroys <paramref name="amount"/> of the sender's own tokens.</summary>
    public Task<TransactionReceipt> BurnAsync(IContractTransactor holder, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(holder, new BurnFunction { Value = amount }, cancellationToken);

    /// <summary>Destroys <paramref name="amount"/> of <paramref name="holder"/>'s tokens under its allowance to the sender (ERC20Burnable.burnFrom).</summary>
    public Task<TransactionReceipt> BurnFromAsync(IContractTransactor spender, Address holder, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(spender, new BurnFromFunction { Account = ContractMessages.Hex(holder), Value = amount }, cancellationToken);

    /// <summary>Lets <paramref name="spender"/> pull up to <paramref name="amount"/> from the sender.</summary>
    public Task<TransactionReceipt> ApproveAsync(IContractTransactor owner, Address spender, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(owner, new ApproveFunction { Spender = ContractMessages.Hex(spender), Value = amount }, cancellationToken);

    /// <summary>Moves <paramref name="amount"/> from the sender to <paramref name="to"/>.</summary>
    public Task<TransactionReceipt> TransferAsync(IContractTransactor from, Address to, BigInteger amount, CancellationToken cancellationToken = default) =>
        SendAsync(from, new TransferFunction { To = ContractMessages.Hex(to), Value = amount }, cancellationToken);

    /// <summary>The balance of <paramref name="owner"/> at <paramref name="block"/> (latest by default).</summary>
    public async Task<BigInteger> BalanceOfAsync(Address owner, BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        ContractMessages.DecodeSingle<BalanceOfFunction, BigInteger>(
            await CallAsync(new BalanceOfFunction { Account = ContractMessages.Hex(owner) }, block, cancellationToken).ConfigureAwait(false));

    /// <summary>Tokens outstanding (minted minus burned) at <paramref name="block"/> (latest by default).</summary>
    public async Task<BigInteger> TotalSupplyAsync(BlockParameter? block = null, CancellationToken cancellationToken = default) =>
        ContractMessages.DecodeSingle<TotalSupplyFunction, BigInteger>(await CallAsync(new TotalSupplyFunction(), block, cancellationToken).ConfigureAwait(false));

    /// <summary>The token's decimals (6).</summary>
    public async Task<int> DecimalsAsync(CancellationToken cancellationToken = default) =>
        ContractMessages.DecodeSingle<DecimalsFunction, byte>(await CallAsync(new DecimalsFunction(), null, cancellationToken).ConfigureAwait(false));

    private async Task<TransactionReceipt> SendAsync<TFunction>(IContractTransactor sender, TFunction message, CancellationToken cancellationToken)
        where TFunction : FunctionMessage
    {
        ArgumentNullException.ThrowIfNull(sender);
        var receipt = await sender.SendAsync(Address, ContractMessages.CallData(message), BigInteger.Zero, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            throw new InvalidOperationException($"TestStablecoin.{ABITypedRegistry.GetFunctionABI<TFunction>().Name} from {sender.Sender} reverted.");
        }

        return receipt;
    }

    private Task<byte[]> CallAsync<TFunction>(TFunction message, BlockParameter? block, CancellationToken cancellationToken)
        where TFunction : FunctionMessage =>
        _rpc.CallAsync(new CallRequest { To = Address, Data = ContractMessages.CallData(message) }, block, cancellationToken);
}
