using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;

namespace Settlement.Service.Flows;

/// <summary>
/// The GBP ledger's accounts of the settlement flows (ledger <see cref="LedgerAssets.Gbp"/>, pence), with deterministic
/// ids (SHA-256 of a domain tag, the ledger, the code and the key), so any process computes the same account for a user
/// or merchant and a repeated creation answers <c>Exists</c>. See docs/flows.md for the accounting model.
/// </summary>
public static class SettlementAccounts
{
    private static readonly byte[] Tag = Encoding.ASCII.GetBytes("l2pay/settlement/account/v1");

    /// <summary>The platform's bank account: GBP received by top-ups and paid by payouts (no limit).</summary>
    public static Account BankClearing { get; } = Create(AccountCode.BankClearing, "platform", AccountFlags.None);

    /// <summary>GBP held against the issued tGBP (<see cref="AccountCode.Treasury"/>, no limit).</summary>
    public static Account StablecoinReserve { get; } = Create(AccountCode.Treasury, "stablecoin-reserve", AccountFlags.None);

    /// <summary>Fees the platform earned (no limit).</summary>
    public static Account Fees { get; } = Create(AccountCode.Fees, "fees", AccountFlags.None);

    /// <summary>A user's GBP paid in and not yet turned into channel funds; never overdrawn.</summary>
    public static Account UserFunds(string userId) => Create(AccountCode.User, RequireKey(userId), AccountFlags.DebitsMustNotExceedCredits);

    /// <summary>What the platform owes a merchant in GBP (burned tGBP not yet paid out); never overdrawn.</summary>
    public static Account MerchantPayable(string merchantId) => Create(AccountCode.Merchant, RequireKey(merchantId), AccountFlags.DebitsMustNotExceedCredits);

    private static string RequireKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return key;
    }

    private static Account Create(AccountCode code, string key, AccountFlags flags)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Tag);
        Span<byte> header = stackalloc byte[4 + 2];
        BinaryPrimitives.WriteUInt32BigEndian(header, LedgerAssets.Gbp);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)code);
        hash.AppendData(header);
        var bytes = Encoding.UTF8.GetBytes(key);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
        return new Account(ChainTransferIds.FromDigest(hash.GetHashAndReset()), LedgerAssets.Gbp, (ushort)code, flags);
    }
}
