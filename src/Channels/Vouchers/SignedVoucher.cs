using Settlement.Ethereum.Signing;

namespace Settlement.Channels.Vouchers;

/// <summary>A voucher with its signature.</summary>
public sealed record SignedVoucher(Voucher Voucher, EcdsaSignature Signature);
