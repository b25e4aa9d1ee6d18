using System.Threading.Channels;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Ledger.Expiry;

/// <summary>
/// The one store method the expiry service calls, scripted by <see cref="Next"/>, reporting when each pass starts (on
/// the test's clock) and what it returned, so a test waits for the service's pass instead of sleeping. Every other
/// method throws: the service must not call them.
/// </summary>
internal sealed class ScriptedExpiryStore(TimeProvider time) : ILedgerStore
{
    private readonly Channel<DateTimeOffset> _started = Channel.CreateUnbounded<DateTimeOffset>();
    private readonly Channel<IReadOnlyList<UInt128>?> _finished = Channel.CreateUnbounded<IReadOnlyList<UInt128>?>();
    private int _passes;

    /// <summary>What the next pass does; by default it expires nothing.</summary>
    public Func<CancellationToken, Task<IReadOnlyList<UInt128>>> Next { get; set; } = _ => Task.FromResult<IReadOnlyList<UInt128>>([]);

    /// <summary>Passes started so far.</summary>
    public int Passes => Volatile.Read(ref _passes);

    public async Task<IReadOnlyList<UInt128>> ExpirePendingAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _passes);
        _started.Writer.TryWrite(time.GetUtcNow());
        try
        {
            var expired = await Next(cancellationToken);
            _finished.Writer.TryWrite(expired);
            return expired;
        }
        catch
        {
            _finished.Writer.TryWrite(null);
            throw;
        }
    }

    /// <summary>When the next pass started, by the test's clock.</summary>
    public Task<DateTimeOffset> PassStartedAsync() => _started.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1)); // a hang guard, not a timing assertion

    /// <summary>What the next pass returned (null: it threw).</summary>
    public Task<IReadOnlyList<UInt128>?> PassFinishedAsync() => _finished.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));

    public Task MigrateAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<CreateAccountResult>> CreateAccountsAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<CreateTransferResult>> CreateTransfersAsync(IReadOnlyList<Transfer> transfers, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<AccountBalances>> LookupAccountsAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<AccountBalances>> ListAccountsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<StoredTransfer>> LookupTransfersAsync(IReadOnlyList<UInt128> ids, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<JournalVerification> VerifyJournalAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
