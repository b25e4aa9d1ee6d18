using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Settlement.Service.Ledger;

/// <summary>
/// The journal's hash chain: row n's hash = SHA-256(hash of row n − 1 ‖ canonical bytes of row n), with 32 zero bytes
/// before row 1. Changing, inserting or deleting any row changes every later hash, so a verifier that recomputes the
/// chain finds the first row that was touched.
/// <para>
/// Canonical bytes (125, all integers big-endian): version-free fixed layout
/// seq u64 ‖ kind u8 ‖ id u128 ‖ debit_account_id u128 ‖ credit_account_id u128 ‖ amount u128 ‖ pending_id u128 ‖
/// user_data u128 ‖ ledger u32 ‖ code u16 ‖ flags u16 ‖ timeout u32 ‖ created_at i64 (.NET ticks, UTC).
/// </para>
/// </summary>
internal static class JournalHash
{
    public const int Length = 32;
    public const int CanonicalLength = 8 + 1 + (6 * 16) + 4 + 2 + 2 + 4 + 8;

    /// <summary>The hash before the first row.</summary>
    public static byte[] Genesis => new byte[Length];

    public static byte[] Compute(ReadOnlySpan<byte> previous, in JournalEntry entry)
    {
        if (previous.Length != Length)
        {
            throw new ArgumentException($"A journal hash is {Length} bytes.", nameof(previous));
        }

        Span<byte> buffer = stackalloc byte[Length + CanonicalLength];
        previous.CopyTo(buffer);
        WriteCanonical(buffer[Length..], entry);
        return SHA256.HashData(buffer);
    }

    public static void WriteCanonical(Span<byte> destination, in JournalEntry e)
    {
        var offset = 0;
        BinaryPrimitives.WriteInt64BigEndian(destination[offset..], e.Seq);
        offset += 8;
        destination[offset++] = (byte)e.Kind;
        foreach (var value in (ReadOnlySpan<UInt128>)[e.Id, e.DebitAccountId, e.CreditAccountId, e.Amount, e.PendingId, e.UserData])
        {
            BinaryPrimitives.WriteUInt128BigEndian(destination[offset..], value);
            offset += 16;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], e.Ledger);
        offset += 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], e.Code);
        offset += 2;
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], e.Flags);
        offset += 2;
        BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], e.Timeout);
        offset += 4;
        BinaryPrimitives.WriteInt64BigEndian(destination[offset..], e.CreatedAtTicks);
    }
}
