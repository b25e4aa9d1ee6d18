using Microsoft.Data.Sqlite;

namespace Settlement.OpenBanking.Tests.Support;

/// <summary>Writes a transfer's lease row directly, as another process holding it would have.</summary>
internal static class StoredLease
{
    public static void Hold(TestConnector t, Guid id, string holder, DateTimeOffset expires)
    {
        using var connection = new SqliteConnection("Data Source=" + t.DatabasePath);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO transfer_leases (operation_id, holder, expires_at) VALUES ($id, $holder, $expires)";
        command.Parameters.AddWithValue("$id", id.ToString("N"));
        command.Parameters.AddWithValue("$holder", holder);
        command.Parameters.AddWithValue("$expires", expires.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }
}
