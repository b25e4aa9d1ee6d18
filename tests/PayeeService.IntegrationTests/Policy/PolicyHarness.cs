using System.Numerics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee.Chain;
using Settlement.Channels.Payee.Policy;
using Settlement.Channels.Payee.Storage;
using Settlement.Channels.Storage.Sqlite;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Policy;

/// <summary>
/// A payee's voucher store of its own (a fresh SQLite file, so a run sees only the test's channels), vouchers put into
/// it as the payee engine would have stored them, and policy runners over it and the shared Anvil deployment.
/// </summary>
internal sealed class PolicyHarness(PayeeWorldFixture fixture) : IAsyncDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("payee-policy-");
    private SqliteVoucherStore? _store;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    public string DatabasePath => Path.Combine(_folder.FullName, "payee.db");

    public SqliteVoucherStore Store => _store ?? throw new InvalidOperationException("Call InitializeAsync first.");

    public async Task<PolicyHarness> InitializeAsync()
    {
        _store = new SqliteVoucherStore(new SqliteVoucherStoreOptions { Path = DatabasePath });
        await _store.MigrateAsync();
        return this;
    }

    /// <summary>Stores the payer's voucher for <paramref name="amount"/> as the payee's newest, received <paramref name="ago"/> before the clock.</summary>
    public async Task HoldAsync(TestChannel channel, BigInteger amount, TimeSpan? ago = null)
    {
        var signed = channel.Sign(amount);
        var results = await Store.SaveNewestAsync(
            [new StoredVoucher(channel.Key, channel.Parameters.Payer, amount, signed.Signature.ToRsv(), Clock.GetUtcNow() - (ago ?? TimeSpan.FromMinutes(1)))]);
        results.ShouldHaveSingleItem().Applied.ShouldBeTrue();
    }

    /// <summary>
    /// Rules off except what <paramref name="configure"/> turns on; idle closes (when turned on) unilateral at once, the
    /// cooperative request first is tested in <see cref="CooperativeIdleCloseTests"/>.
    /// </summary>
    public static PayeePolicyOptions Quiet(Action<PayeePolicyOptions>? configure = null)
    {
        var options = new PayeePolicyOptions { ExhaustedBelowBasisPoints = 0, IdleCloseAfter = null, IdleCloseGrace = null };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A runner sending as <paramref name="payee"/> (the world's payee by default) with a fresh reader and executor: a new process.</summary>
    public PayeePolicyRunner Runner(PayeePolicyOptions options, IContractTransactor? payee = null, PayeePolicyMetrics? metrics = null)
    {
        var world = fixture.World;
        var reader = new PolicySnapshotReader(Store, new ChainChannelViewSource(world.Channels, world.Rpc, fixture.ChainId, 0), world.Channels, world.Rpc, Clock);
        return new PayeePolicyRunner(reader, new PolicyActionExecutor(world.Channels, payee ?? world.Payee, null, metrics), Options.Create(options));
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.Yield();
        _folder.Delete(recursive: true);
    }
}
