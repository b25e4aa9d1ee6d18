using System.Numerics;
using Nethereum.Model;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// An EIP-1559 (type 2) transaction. Signed payload: <c>0x02 ‖ rlp([chainId, nonce,
/// maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s])</c>,
/// encoded by Nethereum's <see cref="Transaction1559"/>.
/// </summary>
public sealed record Eip1559Transaction : Transaction
{
    /// <summary>The EIP-2718 type byte.</summary>
    public const byte TypeByte = 0x02;

    /// <summary>The chain id (EIP-155 numbering).</summary>
    public required ulong ChainId { get; init; }

    /// <summary>The most per gas the sender pays to the block producer on top of the base fee.</summary>
    public required BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>The most per gas the sender pays in total (base fee + priority fee).</summary>
    public required BigInteger MaxFeePerGas { get; init; }

    /// <summary>The EIP-2930 access list.</summary>
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    /// <inheritdoc />
    public override byte Type => TypeByte;

    /// <inheritdoc />
    public override ulong? TransactionChainId => ChainId;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        CheckUInt256(MaxPriorityFeePerGas, nameof(MaxPriorityFeePerGas));
        CheckUInt256(MaxFeePerGas, nameof(MaxFeePerGas));
        if (MaxPriorityFeePerGas > MaxFeePerGas)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPriorityFeePerGas), "MaxPriorityFeePerGas exceeds MaxFeePerGas (EIP-1559).");
        }

        ArgumentNullException.ThrowIfNull(AccessList, nameof(AccessList));
        foreach (var entry in AccessList)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(AccessList));
            foreach (var key in entry.StorageKeys)
            {
                if (key is null || key.Length != 32)
                {
                    throw new ArgumentOutOfRangeException(nameof(AccessList), "Access list storage keys are 32 bytes.");
                }
            }
        }
    }

    internal override Transaction1559 ToNethereum() => new(
        ChainId,
        Nonce,
        MaxPriorityFeePerGas,
        MaxFeePerGas,
        GasLimit,
        To?.ToLowerHex(),
        Value,
        Encoding.Hex.Encode(Data),
        [.. AccessList.Select(e => new AccessListItem(e.Address.ToLowerHex(), [.. e.StorageKeys]))]);

    internal override BigInteger WireV(byte recoveryId) => recoveryId;
}
