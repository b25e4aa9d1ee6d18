using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Contracts;

/// <summary>
/// Sends contract calls as EIP-1559 transactions signed locally with <see cref="PrivateKey"/>, through the
/// shared <see cref="TransactionSender"/> (gas estimate, fees, nonce, receipt). The key stays owned by the caller.
/// </summary>
public sealed class SignedTransactor : IContractTransactor
{
    private readonly TransactionSender _sender;
    private readonly PrivateKey _key;

    /// <summary>Creates a transactor for <paramref name="key"/>'s account.</summary>
    public SignedTransactor(TransactionSender sender, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(key);
        _sender = sender;
        _key = key;
        Sender = key.Address;
    }

    /// <inheritdoc />
    public Address Sender { get; }

    /// <inheritdoc />
    public Task<TransactionReceipt> SendAsync(Address? to, ReadOnlyMemory<byte> data, BigInteger value, CancellationToken cancellationToken = default) =>
        _sender.SendAsync(_key, to, data, value, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"SignedTransactor({Sender})";
}
