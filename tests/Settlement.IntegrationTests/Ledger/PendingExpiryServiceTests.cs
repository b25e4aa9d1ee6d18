using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Ledger;
using Settlement.Service.Ledger.Expiry;
using Settlement.Service.Storage.Sqlite;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>The hosted service that expires pending transfers, on a fake clock shared by the store and the timer.</summary>
public sealed class PendingExpiryServiceTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-ledger-expiry-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Host_PendingTransferPastItsTimeout_ExpiredAtTheNextTickAndPostRefused()
    {
        var passes = Channel.CreateUnbounded<IReadOnlyList<UInt128>>();
        using var host = Build(new() { ["Settlement:Ledger:PendingExpiry:Interval"] = "00:00:05" }, passes.Writer);
        var store = host.Services.GetRequiredService<SqliteLedgerStore>();
        await store.MigrateAsync();
        (await store.CreateAccountsAsync([new Account(1, LedgerAssets.Gbp, (ushort)AccountCode.User), new Account(2, LedgerAssets.Gbp, (ushort)AccountCode.User)]))
            .ShouldBe([CreateAccountResult.Ok, CreateAccountResult.Ok]);
        (await store.CreateTransfersAsync([new Transfer(10, 1, 2, 500, LedgerAssets.Gbp, 1, TransferFlags.Pending, Timeout: 10)]))
            .ShouldBe([CreateTransferResult.Ok]);

        await host.StartAsync();
        (await NextPassAsync(passes.Reader)).ShouldBeEmpty(); // the pass at start

        _time.Advance(TimeSpan.FromSeconds(5));
        (await NextPassAsync(passes.Reader)).ShouldBeEmpty(); // 5 s in: not yet due
        (await store.LookupAccountsAsync([1])).Single().DebitsPending.ShouldBe((UInt128)500);

        _time.Advance(TimeSpan.FromSeconds(5));
        (await NextPassAsync(passes.Reader)).ShouldBe([(UInt128)10]);
        var debit = (await store.LookupAccountsAsync([1])).Single();
        (debit.DebitsPending, debit.DebitsPosted).ShouldBe((UInt128.Zero, UInt128.Zero));
        (await store.LookupAccountsAsync([2])).Single().CreditsPending.ShouldBe(UInt128.Zero);

        (await store.CreateTransfersAsync([new Transfer(11, 0, 0, 0, 0, 0, TransferFlags.PostPending, PendingId: 10)]))
            .ShouldBe([CreateTransferResult.PendingTransferExpired]);
        (await store.LookupAccountsAsync([1])).Single().DebitsPosted.ShouldBe(UInt128.Zero);

        _time.Advance(TimeSpan.FromSeconds(5));
        (await NextPassAsync(passes.Reader)).ShouldBeEmpty(); // expired once, not again
        await host.StopAsync();
        (await store.VerifyJournalAsync()).Ok.ShouldBeTrue();
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("02:00:00")]
    public async Task Host_IntervalOutOfRange_StartFailsNamingTheSetting(string interval)
    {
        using var host = Build(new() { ["Settlement:Ledger:PendingExpiry:Interval"] = interval }, null);

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        error.Message.ShouldContain("Interval");
    }

    private static async Task<IReadOnlyList<UInt128>> NextPassAsync(ChannelReader<IReadOnlyList<UInt128>> passes) =>
        await passes.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1)); // a hang guard, not a timing assertion

    private IHost Build(Dictionary<string, string?> settings, ChannelWriter<IReadOnlyList<UInt128>>? passes)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSqliteLedgerStore(Path.Combine(_directory.FullName, "ledger.db"));
        if (passes is not null)
        {
            builder.Services.AddSingleton<ILedgerStore>(sp => new RecordingStore(sp.GetRequiredService<SqliteLedgerStore>(), passes));
        }

        builder.Services.AddPendingTransferExpiry();
        return builder.Build();
    }

    /// <summary>The real store, reporting each expiry pass's result so the test knows the timer's pass has run.</summary>
    private sealed class RecordingStore(ILedgerStore inner, ChannelWriter<IReadOnlyList<UInt128>> passes) : ILedgerStore
    {
        public Task MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);

        public Task<IReadOnlyList<CreateAccountResult>> CreateAccountsAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default) =>
            inner.CreateAccountsAsync(accounts, cancellationToken);

        public Task<IReadOnlyList<CreateTransferResult>> CreateTransfersAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken = default) =>
            inner.CreateTransfersAsync(transfers, cancellationToken);

        public Task<IReadOnlyList<AccountBalances>> LookupAccountsAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default) =>
            inner.LookupAccountsAsync(ids, cancellationToken);

        public Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(CancellationToken cancellationToken = default) => inner.ListAccountsAsync(cancellationToken);

        public Task<IReadOnlyList<StoredTransfer>> LookupTransfersAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default) =>
            inner.LookupTransfersAsync(ids, cancellationToken);

        public async Task<IReadOnlyList<UInt128>> ExpirePendingAsync(CancellationToken cancellationToken = default)
        {
            var expired = await inner.ExpirePendingAsync(cancellationToken);
            await passes.WriteAsync(expired, cancellationToken);
            return expired;
        }

        public Task<JournalVerification> VerifyJournalAsync(CancellationToken cancellationToken = default) => inner.VerifyJournalAsync(cancellationToken);
    }
}
