using System.Numerics;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Payee;

/// <summary>
/// What <see cref="VoucherVerifier"/> concluded before anything is stored: refused with a code, a duplicate of the
/// newest, or valid with its increment and parsed signature.
/// </summary>
public readonly struct VoucherVerdict
{
    private VoucherVerdict(VoucherRejectCode? code, bool duplicate, BigInteger increment, EcdsaSignature signature)
    {
        Code = code;
        IsDuplicate = duplicate;
        Increment = increment;
        Signature = signature;
    }

    /// <summary>The reason for a refusal; null if not refused.</summary>
    public VoucherRejectCode? Code { get; }

    /// <summary>True if the voucher repeats the newest one with a valid signature.</summary>
    public bool IsDuplicate { get; }

    /// <summary>True if the voucher may be stored.</summary>
    public bool IsValid => Code is null && !IsDuplicate;

    /// <summary>What a valid voucher adds above the newest and above the redeemed amount.</summary>
    public BigInteger Increment { get; }

    /// <summary>The parsed signature of a valid or duplicate voucher.</summary>
    public EcdsaSignature Signature { get; }

    internal static VoucherVerdict Reject(VoucherRejectCode code) => new(code, false, BigInteger.Zero, default);

    internal static VoucherVerdict Duplicate(EcdsaSignature signature) => new(null, true, BigInteger.Zero, signature);

    internal static VoucherVerdict Valid(BigInteger increment, EcdsaSignature signature) => new(null, false, increment, signature);

    /// <inheritdoc />
    public override string ToString() => Code is { } code ? $"Rejected({code})" : IsDuplicate ? "Duplicate" : $"Valid(+{Increment})";
}
