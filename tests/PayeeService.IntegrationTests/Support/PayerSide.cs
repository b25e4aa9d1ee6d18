using Settlement.Channels.Payer;
using Settlement.Channels.Storage.Sqlite;

namespace Settlement.PayeeService.IntegrationTests.Support;

/// <summary>
/// The payer's SDK over a SQLite file in its own folder, with the fixture's payer key, for one test. A new client on
/// the same file is what a restarted payer process sees.
/// </summary>
internal sealed class PayerSide : IAsyncDisposable
{
    private readonly PayeeWorldFixture _fixture;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("payer-it-");

    public PayerSide(PayeeWorldFixture fixture)
    {
        _fixture = fixture;
        Store = new SqlitePayerStore(Path.Combine(_folder.FullName, "payer.db"));
    }

    public SqlitePayerStore Store { get; }

    public string Database => Store.Path;

    /// <summary>A client with short reconnect back-off (the payee restarts in these tests).</summary>
    public PayerClient NewClient() => new(
        _fixture.World.Channels,
        _fixture.World.Rpc,
        _fixture.World.PayerKey,
        new SqlitePayerStore(Database),
        new PayerClientOptions
        {
            Transactor = _fixture.World.Payer,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
            RetryDelay = TimeSpan.FromMilliseconds(50),
        });

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
