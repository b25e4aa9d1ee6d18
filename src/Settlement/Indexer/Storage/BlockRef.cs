namespace Settlement.Service.Indexer.Storage;

/// <summary>A block by number and hash (0x-prefixed lower-case hex, 32 bytes): what the indexer stores to detect reorgs.</summary>
/// <param name="Number">The block number.</param>
/// <param name="Hash">The block hash, 0x + 64 lower-case hex digits.</param>
public sealed record BlockRef(ulong Number, string Hash)
{
    /// <inheritdoc />
    public override string ToString() => $"#{Number} {Hash}";
}
