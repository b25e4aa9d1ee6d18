using System.Numerics;
using NethereumModel = Nethereum.Model;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// A legacy (type 0) transaction: <c>rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s])</c>.
/// With a <see cref="ChainId"/> it is signed as EIP-155 prescribes (the hash covers chainId, 0, 0 and
/// v = chainId·2 + 35 + recovery id; Nethereum's <see cref="NethereumModel.LegacyTransactionChainId"/>);
/// without one it is a pre-EIP-155 transaction (v = 27/28, <see cref="NethereumModel.LegacyTransaction"/>)
/// that any chain would accept — decoding supports it, signing one needs a deliberate null chain id.
/// </summary>
public sealed record LegacyTransaction : Transaction
{
    /// <summary>The chain id for EIP-155 replay protection; null for a pre-EIP-155 transaction.</summary>
    public required ulong? ChainId { get; init; }

    /// <summary>The price per gas in wei.</summary>
    public required BigInteger GasPrice { get; init; }

    /// <inheritdoc />
    public override byte Type => 0;

    /// <inheritdoc />
    public override ulong? TransactionChainId => ChainId;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        CheckUInt256(GasPrice, nameof(GasPrice));
        if (ChainId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ChainId), "Chain id 0 is not a chain; use null for a pre-EIP-155 transaction.");
        }
    }

    internal override NethereumModel.SignedLegacyTransaction ToNethereum()
    {
        var to = To is { } address ? address.Bytes.ToArray() : [];
        return ChainId is { } chainId
            ? new NethereumModel.LegacyTransactionChainId(Integer(Nonce), Integer(GasPrice), Integer(GasLimit), to, Integer(Value), Data, Integer(chainId))
            : new NethereumModel.LegacyTransaction(Integer(Nonce), Integer(GasPrice), Integer(GasLimit), to, Integer(Value), Data);
    }

    internal override BigInteger WireV(byte recoveryId) =>
        ChainId is { } chainId ? (new BigInteger(chainId) * 2) + 35 + recoveryId : 27 + recoveryId;
}
