namespace Settlement.Channels.IntegrationTests.Payee.Storage;

/// <summary>The test classes that share one <see cref="PostgresFixture"/> server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
