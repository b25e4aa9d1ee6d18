using System.Numerics;
using Settlement.Ethereum.Rlp;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Transactions;

/// <summary>
/// An EIP-1559 (type 2) transaction. Signed payload: <c>0x02 ‖ rlp([chainId, nonce,
/// maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s])</c>.
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

    internal override byte[] EncodeUnsignedPayload() => Typed(RlpItem.List(Fields()));

    internal override byte[] EncodeSigned(in EcdsaSignature signature)
    {
        var fields = Fields();
        fields.Add(RlpItem.FromInteger(signature.RecoveryId));
        fields.Add(SignatureInteger(signature.R));
        fields.Add(SignatureInteger(signature.S));
        return Typed(RlpItem.List(fields));
    }

    internal override BigInteger WireV(byte recoveryId) => recoveryId;

    internal static RlpItem EncodeAccessList(IReadOnlyList<AccessListEntry> list) =>
        RlpItem.List(list.Select(e => RlpItem.List(
            RlpItem.FromAddress(e.Address),
            RlpItem.List(e.StorageKeys.Select(k => RlpItem.FromBytes(k))))));

    private List<RlpItem> Fields() =>
    [
        RlpItem.FromInteger(ChainId),
        RlpItem.FromInteger(Nonce),
        RlpItem.FromInteger(MaxPriorityFeePerGas),
        RlpItem.FromInteger(MaxFeePerGas),
        RlpItem.FromInteger(GasLimit),
        ToItem(To),
        RlpItem.FromInteger(Value),
        RlpItem.FromBytes(Data),
        EncodeAccessList(AccessList),
    ];

    private static byte[] Typed(RlpItem body)
    {
        var rlp = Rlp.Rlp.Encode(body);
        var output = new byte[rlp.Length + 1];
        output[0] = TypeByte;
        rlp.CopyTo(output, 1);
        return output;
    }
}
