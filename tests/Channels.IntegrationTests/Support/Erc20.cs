using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Testing.Abi;

namespace Settlement.Channels.IntegrationTests.Support;

/// <summary>Minimal ERC-20 calls the tests need (works with tokens that return no bool).</summary>
internal sealed class Erc20(EthereumRpcClient rpc, Address address)
{
    private static readonly TestFunction Approve = TestFunction.Parse("function approve(address spender, uint256 amount)");
    private static readonly TestFunction Mint = TestFunction.Parse("function mint(address to, uint256 amount)");
    private static readonly TestFunction Transfer = TestFunction.Parse("function transfer(address to, uint256 amount)");
    private static readonly TestFunction BalanceOf = TestFunction.Parse("function balanceOf(address owner) view returns (uint256)");
    private static readonly TestFunction Nonces = TestFunction.Parse("function nonces(address owner) view returns (uint256)");

    public Address Address { get; } = address;

    public Task ApproveAsync(IContractTransactor owner, Address spender, BigInteger amount) =>
        owner.SendAsync(Address, Approve.EncodeCall(spender, amount), BigInteger.Zero);

    public Task MintAsync(IContractTransactor minter, Address to, BigInteger amount) =>
        minter.SendAsync(Address, Mint.EncodeCall(to, amount), BigInteger.Zero);

    public Task TransferAsync(IContractTransactor from, Address to, BigInteger amount) =>
        from.SendAsync(Address, Transfer.EncodeCall(to, amount), BigInteger.Zero);

    public async Task<BigInteger> BalanceOfAsync(Address owner) =>
        (BigInteger)BalanceOf.DecodeOutput(await rpc.CallAsync(new CallRequest { To = Address, Data = BalanceOf.EncodeCall(owner) }))[0]!;

    public async Task<BigInteger> NoncesAsync(Address owner) =>
        (BigInteger)Nonces.DecodeOutput(await rpc.CallAsync(new CallRequest { To = Address, Data = Nonces.EncodeCall(owner) }))[0]!;
}
