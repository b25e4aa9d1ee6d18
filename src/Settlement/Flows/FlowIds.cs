using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Settlement.Service.Indexer.Mapping;

namespace Settlement.Service.Flows;

/// <summary>
/// Deterministic ids of a flow's external steps, so a step redone after a crash repeats the same effect: ledger
/// transfer ids (the ledger answers <c>Exists</c>), bank operation ids (the connector returns the same payment), chain
/// step keys (the chain actions re-broadcast the same transaction), payout batch and payout flow ids.
/// </summary>
public static class FlowIds
{
    private static readonly byte[] TransferTag = Encoding.ASCII.GetBytes("l2pay/settlement/transfer/v1");
    private static readonly byte[] BankTag = Encoding.ASCII.GetBytes("l2pay/settlement/bank-operation/v1");
    private static readonly byte[] BatchTag = Encoding.ASCII.GetBytes("l2pay/settlement/payout-batch/v1");
    private static readonly byte[] PayoutTag = Encoding.ASCII.GetBytes("l2pay/settlement/payout-flow/v1");
    private static readonly byte[] RechargeTag = Encoding.ASCII.GetBytes("l2pay/settlement/recharge-flow/v1");

    /// <summary>The ledger transfer id of step <paramref name="step"/> of flow <paramref name="flowId"/> (never 0 or 2^128 − 1).</summary>
    public static UInt128 LedgerTransfer(Guid flowId, string step) => ChainTransferIds.FromDigest(Digest(TransferTag, flowId, step));

    /// <summary>The bank operation id of step <paramref name="step"/> of flow <paramref name="flowId"/>.</summary>
    public static Guid BankOperation(Guid flowId, string step) => ToGuid(Digest(BankTag, flowId, step));

    /// <summary>The chain step key of step <paramref name="step"/> of flow <paramref name="flowId"/>.</summary>
    public static string ChainStep(Guid flowId, string step)
    {
        ArgumentException.ThrowIfNullOrEmpty(step);
        return flowId.ToString("N") + ":" + step;
    }

    /// <summary>The payout batch of schedule slot <paramref name="slot"/> (the slot's start, as UTC ticks).</summary>
    public static Guid PayoutBatch(long slot) => ToGuid(Digest(BatchTag, Guid.Empty, slot.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The payout flow of <paramref name="merchantId"/> in batch <paramref name="batchId"/>.</summary>
    public static Guid PayoutFlow(Guid batchId, string merchantId) => ToGuid(Digest(PayoutTag, batchId, merchantId));

    /// <summary>The recharge flow of idempotency key <paramref name="idempotencyKey"/> under sweeping consent <paramref name="consentId"/>.</summary>
    public static Guid Recharge(string consentId, string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(consentId);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);

        // Length-prefixed, so no (consent, key) pair reads as another.
        return ToGuid(Digest(RechargeTag, Guid.Empty, consentId.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + consentId + idempotencyKey));
    }

    private static byte[] Digest(byte[] tag, Guid id, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(tag);
        Span<byte> guid = stackalloc byte[16];
        id.TryWriteBytes(guid, bigEndian: true, out _);
        hash.AppendData(guid);
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
        return hash.GetHashAndReset();
    }

    private static Guid ToGuid(byte[] digest)
    {
        // RFC 9562 version 8 (custom) with the RFC variant, from the digest's first 16 bytes.
        Span<byte> bytes = digest.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
