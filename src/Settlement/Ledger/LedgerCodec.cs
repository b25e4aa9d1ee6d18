using System.Buffers.Binary;

namespace Settlement.Service.Ledger;

/// <summary>
/// Column encoding shared by the ledger stores: 128-bit ids and amounts as 16-byte big-endian blobs (byte order is
/// numeric order, so indexes sort ids numerically), small integers as 64-bit integers, times as UTC ticks. Decoders
/// never throw: a value that does not decode is reported by the caller as corruption.
/// </summary>
internal static class LedgerCodec
{
    public static byte[] Encode(UInt128 value)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return bytes;
    }

    public static bool TryDecode(object? column, out UInt128 value)
    {
        if (column is byte[] { Length: 16 } bytes)
        {
            value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            return true;
        }

        value = 0;
        return false;
    }

    public static UInt128 Decode(object? column, string what) =>
        TryDecode(column, out var value) ? value : throw new InvalidDataException($"The ledger's {what} is not a 16-byte value.");

    /// <summary>Reads the columns (seq, kind, id, debit, credit, amount, pending_id (NULL = 0), user_data, ledger,
    /// code, flags, timeout, created_at) of one journal row.</summary>
    public static bool TryDecodeEntry(ReadOnlySpan<object?> c, out JournalEntry entry)
    {
        entry = default;
        if (c.Length < 13 || c[0] is not long seq || c[1] is not long kind || kind is < 1 or > 3
            || !TryDecode(c[2], out var id) || !TryDecode(c[3], out var debit) || !TryDecode(c[4], out var credit)
            || !TryDecode(c[5], out var amount) || !TryDecode(c[7], out var userData)
            || c[8] is not long ledger || ledger is < 0 or > uint.MaxValue
            || c[9] is not long code || code is < 0 or > ushort.MaxValue
            || c[10] is not long flags || flags is < 0 or > ushort.MaxValue
            || c[11] is not long timeout || timeout is < 0 or > uint.MaxValue
            || c[12] is not long ticks)
        {
            return false;
        }

        UInt128 pending = 0;
        if (c[6] is not (null or DBNull) && !TryDecode(c[6], out pending))
        {
            return false;
        }

        entry = new JournalEntry(seq, (JournalKind)kind, id, debit, credit, amount, pending, userData, (uint)ledger, (ushort)code, (ushort)flags, (uint)timeout, ticks);
        return true;
    }

    /// <summary>Reads the columns (id, ledger, code, flags, user_data, debits_pending, debits_posted, credits_pending,
    /// credits_posted, created_at) of one account row; throws <see cref="InvalidDataException"/> naming it if corrupt.</summary>
    public static AccountBalances DecodeAccount(ReadOnlySpan<object?> c)
    {
        if (c.Length < 10 || !TryDecode(c[0], out var id))
        {
            throw new InvalidDataException("A ledger account row has a corrupt id.");
        }

        if (c[1] is not long ledger || ledger is < 0 or > uint.MaxValue || c[2] is not long code || code is < 0 or > ushort.MaxValue
            || c[3] is not long flags || flags is < 0 or > ushort.MaxValue || !TryDecode(c[4], out var userData)
            || !TryDecode(c[5], out var dp) || !TryDecode(c[6], out var dpo) || !TryDecode(c[7], out var cp) || !TryDecode(c[8], out var cpo)
            || c[9] is not long ticks)
        {
            throw new InvalidDataException($"The ledger account row {id} is corrupt.");
        }

        return new AccountBalances(
            new Account(id, (uint)ledger, (ushort)code, (AccountFlags)flags, userData), dp, dpo, cp, cpo, new DateTimeOffset(ticks, TimeSpan.Zero));
    }
}
