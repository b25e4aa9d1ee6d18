namespace Settlement.OpenBanking.Tests.Support;

/// <summary>
/// Tests that look at SQLite's files while a connection is pooled: run alone, because every
/// <see cref="TestConnector"/> disposed in a parallel test calls <c>SqliteConnection.ClearAllPools</c>,
/// and closing the last connection deletes the WAL file under the test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SqlitePoolsCollection
{
    public const string Name = "sqlite-pools";
}
