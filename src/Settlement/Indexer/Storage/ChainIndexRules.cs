using System.Globalization;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;

namespace Settlement.Service.Indexer.Storage;

/// <summary>
/// The checks and decisions both stores make inside their transaction, from what they read, so SQLite and PostgreSQL
/// refuse the same writes for the same reasons (as <see cref="LedgerEngine"/> does for the ledger).
/// </summary>
internal static class ChainIndexRules
{
    /// <summary>Why <paramref name="batch"/> cannot continue <paramref name="stored"/>, or null.</summary>
    public static (ChainIndexRefusal Refusal, string Detail)? CheckBatch(ChainBlockBatch batch, IndexerCheckpoint? stored)
    {
        if (stored is not null && stored.ChainId != batch.ChainId)
        {
            return (ChainIndexRefusal.ChainIdMismatch, string.Create(CultureInfo.InvariantCulture, $"stream '{batch.Stream}' is chain {stored.ChainId}, the batch chain {batch.ChainId}"));
        }

        if (stored?.Block != batch.Expected)
        {
            return (ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint {Describe(stored?.Block)}, batch continues {Describe(batch.Expected)}");
        }

        var floor = batch.Expected?.Number;
        ulong? previous = null;
        foreach (var block in batch.Blocks)
        {
            if ((floor is { } f && block.Number <= f) || block.Number > batch.NewCheckpoint.Number || (previous is { } p && block.Number <= p))
            {
                return (ChainIndexRefusal.BlocksOutOfRange, string.Create(CultureInfo.InvariantCulture, $"block {block.Number} is not in ({Describe(batch.Expected)}, {batch.NewCheckpoint.Number}] in ascending order"));
            }

            previous = block.Number;
        }

        if (batch.NewCheckpoint.Number is var n && floor is { } g && n <= g)
        {
            return (ChainIndexRefusal.BlocksOutOfRange, string.Create(CultureInfo.InvariantCulture, $"new checkpoint {n} is not above {g}"));
        }

        if (batch.Blocks.Count == 0 || batch.Blocks[^1] != batch.NewCheckpoint)
        {
            return (ChainIndexRefusal.BlocksOutOfRange, "the batch's last block must be its new checkpoint");
        }

        var numbers = batch.Blocks.ToDictionary(b => b.Number, b => b.Hash);
        foreach (var e in batch.Events)
        {
            if (!numbers.TryGetValue(e.BlockNumber, out var hash) || !string.Equals(hash, e.BlockHash, StringComparison.Ordinal))
            {
                return (ChainIndexRefusal.BlocksOutOfRange, $"event {e.Key} names block #{e.BlockNumber} {e.BlockHash}, which is not a block of the batch");
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="rollback"/> cannot apply to <paramref name="stored"/>, or null (the target's existence is checked by the store).</summary>
    public static (ChainIndexRefusal Refusal, string Detail)? CheckRollback(ChainRollback rollback, IndexerCheckpoint? stored)
    {
        if (stored?.Block != rollback.Expected)
        {
            return (ChainIndexRefusal.CheckpointMismatch, $"stored checkpoint {Describe(stored?.Block)}, rollback expects {Describe(rollback.Expected)}");
        }

        if (rollback.Target is { } target && target.Number >= rollback.Expected.Number)
        {
            return (ChainIndexRefusal.TargetNotBelowCheckpoint, string.Create(CultureInfo.InvariantCulture, $"target {target.Number} is not below checkpoint {rollback.Expected.Number}"));
        }

        return null;
    }

    /// <summary>The reversals of the transfers of <paramref name="newestFirst"/>, newest event and leg first.</summary>
    /// <exception cref="InvalidDataException">A booked transfer is missing from the journal.</exception>
    public static List<Transfer> Reversals(IEnumerable<BookedEvent> newestFirst, IReadOnlyDictionary<UInt128, StoredTransfer> stored)
    {
        var reversals = new List<Transfer>();
        foreach (var e in newestFirst)
        {
            for (var i = e.TransferIds.Count - 1; i >= 0; i--)
            {
                var id = e.TransferIds[i];
                if (!stored.TryGetValue(id, out var original))
                {
                    throw new InvalidDataException($"Indexer event {e.Key} names ledger transfer {id}, which the journal does not hold.");
                }

                var t = original.Transfer;
                reversals.Add(new Transfer(
                    ChainTransferIds.Reversal(id), t.CreditAccountId, t.DebitAccountId, t.Amount, t.Ledger, (ushort)ChainTransferCode.Reversal, UserData: id));
            }
        }

        return reversals;
    }

    /// <summary>The first ledger result that is neither applied nor an identical repeat, as a refusal detail, or null.</summary>
    public static string? FirstFailure<T>(IReadOnlyList<T> results, Func<int, UInt128> idAt, T ok, T exists)
        where T : struct, Enum
    {
        for (var i = 0; i < results.Count; i++)
        {
            if (!results[i].Equals(ok) && !results[i].Equals(exists))
            {
                return $"{idAt(i)}: {results[i]}";
            }
        }

        return null;
    }

    /// <summary>Encodes transfer ids as consecutive 16-byte big-endian values (the stores' <c>transfer_ids</c> column).</summary>
    public static byte[] EncodeIds(IReadOnlyList<UInt128> ids)
    {
        var bytes = new byte[ids.Count * 16];
        for (var i = 0; i < ids.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes.AsSpan(i * 16), ids[i]);
        }

        return bytes;
    }

    /// <summary>The inverse of <see cref="EncodeIds"/>.</summary>
    public static UInt128[] DecodeIds(byte[] bytes)
    {
        if (bytes.Length % 16 != 0)
        {
            throw new InvalidDataException("An indexer event's transfer ids are not a multiple of 16 bytes.");
        }

        var ids = new UInt128[bytes.Length / 16];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes.AsSpan(i * 16));
        }

        return ids;
    }

    private static string Describe(BlockRef? block) => block?.ToString() ?? "none";
}
