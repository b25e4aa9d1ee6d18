namespace Settlement.Storage;

/// <summary>
/// Keeps a SQLite database owner-only (0600): the one copy of this rule for the projects that link it (the voucher
/// stores through this folder; the ledger's SQLite store and the open-banking transfer store by name).
/// </summary>
internal static class OwnerOnlyFile
{
    /// <summary>Creates the database file owner-only, or narrows an existing one (and its WAL/SHM files) to 0600.</summary>
    public static void RestrictSqliteDatabase(string path)
    {
        if (OperatingSystem.IsWindows() || string.IsNullOrEmpty(path) || path == ":memory:" || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(path))
        {
            // Created empty with the mode set at open(2), so it is never readable by others, not even briefly. SQLite
            // gives the -wal and -shm files the database file's mode.
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file) && File.GetUnixFileMode(file) != OwnerOnly)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }
}
