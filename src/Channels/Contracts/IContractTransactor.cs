using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Contracts;

/// <summary>
/// Sends a transaction from one account and returns its receipt once mined. Implementations sign locally (a
/// key held by the service) or use a node's unlocked development account; a call the node refuses because it
/// reverts surfaces as a <see cref="JsonRpcException"/> carrying the revert data.
/// </summary>
public interface IContractTransactor
{
    /// <summary>The sending account.</summary>
    Address Sender { get; }

    /// <summary>Sends <paramref name="data"/> to <paramref name="to"/> (null deploys a contract) with <paramref name="value"/> wei.</summary>
    Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default);
}
