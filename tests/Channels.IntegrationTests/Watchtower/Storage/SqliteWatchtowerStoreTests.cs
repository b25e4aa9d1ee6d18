using System.Numerics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Settlement.Channels.Contracts;
using Settlement.Channels.Storage.Sqlite.Watchtower;
using Settlement.Channels.Vouchers;
using Settlement.Channels.Watchtower;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Channels.IntegrationTests.Watchtower.Storage;

/// <summary>
/// <see cref="SqliteWatchtowerStore"/> on its own, over a SQLite file: what each method stores and reads back field by
/// field, the newer-voucher rule decided under the write lock (and what a refused write leaves), the checkpoint's
/// recent-block window and rewinds, disputes replaced per channel and kind, append-only alerts, the refusals of a
/// corrupt row with their exact reason, and the file itself (0600, WAL, schema version, a newer file refused).
/// </summary>
public sealed class SqliteWatchtowerStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 6, 0, 0, TimeSpan.Zero);
    private static readonly Address PayerAddress = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly Address PayeeAddress = Address.Parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("l2pay-tower-");

    private string DatabasePath => Path.Combine(_directory.FullName, "tower.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    // ------------------------------------------------------------------ delegations

    [Fact]
    public async Task SaveDelegation_New_StoredAndReadBackFieldByField()
    {
        var store = Open();
        var channel = Channel(7);
        var delegation = Held(channel, 1_000, signatureSeed: 3, receivedAt: T0);

        (await store.SaveDelegationAsync(delegation)).ShouldBe(DelegationWrite.Stored);

        var stored = (await new SqliteWatchtowerStore(DatabasePath).GetDelegationAsync(channel.Id)).ShouldNotBeNull();
        stored.Channel.ShouldBe(channel);
        stored.ChannelId.ShouldBe(channel.Id);
        stored.Amount.ShouldBe(new BigInteger(1_000));
        stored.Voucher.Signature.ToRsv().ShouldBe(Signature(3).ToRsv());
        stored.ReceivedAt.ShouldBe(T0);
        stored.CloseDeadline.ShouldBeNull();
        stored.Finished.ShouldBeFalse();
    }

    [Fact]
    public async Task SaveDelegation_ExtremeValues_RoundTrip()
    {
        var store = Open();
        var max = (BigInteger.One << 256) - 1;
        var channel = new ChannelParameters(PayerAddress, PayeeAddress, Address.FromBytes(Enumerable.Repeat((byte)0xEE, 20).ToArray()), uint.MaxValue, ulong.MaxValue);
        var offset = new DateTimeOffset(2026, 12, 3, 8, 30, 0, TimeSpan.FromHours(2));

        (await store.SaveDelegationAsync(new Delegation(channel, Voucher(channel, max, 9), offset, ulong.MaxValue, false))).ShouldBe(DelegationWrite.Stored);

        var stored = (await store.GetDelegationAsync(channel.Id)).ShouldNotBeNull();
        stored.Channel.ShouldBe(channel);
        stored.Amount.ShouldBe(max);
        stored.CloseDeadline.ShouldBe(ulong.MaxValue);
        stored.ReceivedAt.ShouldBe(offset);
        stored.ReceivedAt.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task SaveDelegation_NewWithCloseDeadline_KeepsTheGivenDeadline()
    {
        var store = Open();
        var channel = Channel(1);

        await store.SaveDelegationAsync(Held(channel, 10, deadline: 5_000));

        (await store.GetDelegationAsync(channel.Id)).ShouldNotBeNull().CloseDeadline.ShouldBe(5_000UL);
    }

    [Fact]
    public async Task SaveDelegation_SameAmount_UnchangedAndTheFirstVoucherKept()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 500, signatureSeed: 1, receivedAt: T0));

        var result = await store.SaveDelegationAsync(Held(channel, 500, signatureSeed: 2, receivedAt: T0.AddMinutes(5)));

        result.ShouldBe(DelegationWrite.Unchanged);
        var stored = (await store.GetDelegationAsync(channel.Id)).ShouldNotBeNull();
        stored.Voucher.Signature.ToRsv().ShouldBe(Signature(1).ToRsv());
        stored.ReceivedAt.ShouldBe(T0);
    }

    [Fact]
    public async Task SaveDelegation_LowerAmount_NotNewerAndNothingWritten()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 500, signatureSeed: 1, receivedAt: T0));

        var result = await store.SaveDelegationAsync(Held(channel, 499, signatureSeed: 2, receivedAt: T0.AddMinutes(5), deadline: 77));

        result.ShouldBe(DelegationWrite.NotNewer);
        var stored = (await store.GetDelegationAsync(channel.Id)).ShouldNotBeNull();
        stored.Amount.ShouldBe(new BigInteger(500));
        stored.Voucher.Signature.ToRsv().ShouldBe(Signature(1).ToRsv());
        stored.ReceivedAt.ShouldBe(T0);
        stored.CloseDeadline.ShouldBeNull();
    }

    [Fact]
    public async Task SaveDelegation_HigherAmount_ReplacesVoucherAndTimeButKeepsDeadlineAndFinished()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 500, signatureSeed: 1, receivedAt: T0));
        await store.SetCloseDeadlineAsync(channel.Id, 4_000);
        await store.SetFinishedAsync(channel.Id);

        var result = await store.SaveDelegationAsync(Held(channel, 501, signatureSeed: 2, receivedAt: T0.AddMinutes(5), deadline: 9_000));

        result.ShouldBe(DelegationWrite.Stored);
        var stored = (await store.GetDelegationAsync(channel.Id)).ShouldNotBeNull();
        stored.Amount.ShouldBe(new BigInteger(501));
        stored.Voucher.Signature.ToRsv().ShouldBe(Signature(2).ToRsv());
        stored.ReceivedAt.ShouldBe(T0.AddMinutes(5));
        stored.CloseDeadline.ShouldBe(4_000UL);
        stored.Finished.ShouldBeTrue();
    }

    [Fact]
    public async Task SaveDelegation_HigherAmountWithNoDeadlineHeld_TakesTheNewDeadline()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 500));

        await store.SaveDelegationAsync(Held(channel, 600, deadline: 9_000));

        (await store.GetDelegationAsync(channel.Id)).ShouldNotBeNull().CloseDeadline.ShouldBe(9_000UL);
    }

    [Fact]
    public async Task GetDelegation_Unknown_Null()
    {
        var store = Open();
        await store.SaveDelegationAsync(Held(Channel(1), 5));

        (await store.GetDelegationAsync(Channel(2).Id)).ShouldBeNull();
    }

    [Fact]
    public async Task ListActiveDelegations_OrderedByChannelIdWithoutFinished()
    {
        var store = Open();
        var channels = Enumerable.Range(1, 4).Select(n => Channel((ulong)n)).ToList();
        foreach (var channel in channels)
        {
            await store.SaveDelegationAsync(Held(channel, 10));
        }

        await store.SetFinishedAsync(channels[2].Id);

        var active = await store.ListActiveDelegationsAsync();

        var expected = channels.Where((_, i) => i != 2).Select(c => c.Id.ToString()).Order(StringComparer.Ordinal).ToList();
        active.Select(d => d.ChannelId.ToString()).ShouldBe(expected);
        active.ShouldAllBe(d => !d.Finished);
    }

    [Fact]
    public async Task SetCloseDeadline_SetThenCleared_OtherChannelsUntouched()
    {
        var store = Open();
        var (one, two) = (Channel(1), Channel(2));
        await store.SaveDelegationAsync(Held(one, 10));
        await store.SaveDelegationAsync(Held(two, 10, deadline: 300));

        await store.SetCloseDeadlineAsync(one.Id, 1_234);
        (await store.GetDelegationAsync(one.Id)).ShouldNotBeNull().CloseDeadline.ShouldBe(1_234UL);

        await store.SetCloseDeadlineAsync(one.Id, null);
        (await store.GetDelegationAsync(one.Id)).ShouldNotBeNull().CloseDeadline.ShouldBeNull();
        (await store.GetDelegationAsync(two.Id)).ShouldNotBeNull().CloseDeadline.ShouldBe(300UL);
    }

    [Fact]
    public async Task SetCloseDeadlineAndFinished_UnknownChannel_CreateNothing()
    {
        var store = Open();

        await store.SetCloseDeadlineAsync(Channel(1).Id, 50);
        await store.SetFinishedAsync(Channel(1).Id);

        (await store.GetDelegationAsync(Channel(1).Id)).ShouldBeNull();
        (await ScalarAsync("SELECT count(*) FROM wt_delegations")).ShouldBe(0L);
    }

    [Fact]
    public async Task SetFinished_OnlyThatChannel()
    {
        var store = Open();
        var (one, two) = (Channel(1), Channel(2));
        await store.SaveDelegationAsync(Held(one, 10));
        await store.SaveDelegationAsync(Held(two, 10));

        await store.SetFinishedAsync(one.Id);

        (await store.GetDelegationAsync(one.Id)).ShouldNotBeNull().Finished.ShouldBeTrue();
        (await store.GetDelegationAsync(two.Id)).ShouldNotBeNull().Finished.ShouldBeFalse();
    }

    // ------------------------------------------------------------------ corrupt rows

    [Fact]
    public async Task Read_SignatureNotParseable_RefusedAsCorrupt()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 10));
        await ScalarAsync("UPDATE wt_delegations SET signature = zeroblob(65)");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.GetDelegationAsync(channel.Id));

        ex.Message.ShouldBe($"The watchtower store is corrupt for channel {channel.Id}: the voucher signature is malformed.");
    }

    [Fact]
    public async Task Read_ParametersNotHashingToTheId_RefusedAsCorrupt()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 10));
        await ScalarAsync("UPDATE wt_delegations SET challenge_period = challenge_period + 1");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.ListActiveDelegationsAsync());

        ex.Message.ShouldBe($"The watchtower store is corrupt for channel {channel.Id}: the channel parameters do not hash to the channel id.");
    }

    [Fact]
    public async Task Read_AmountNotAWord_RefusedAsCorrupt_AndAWriteComparingWithItToo()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 10));
        await ScalarAsync($"UPDATE wt_delegations SET cumulative = '{new string('x', 32)}'");

        var read = await Should.ThrowAsync<InvalidDataException>(() => store.GetDelegationAsync(channel.Id));
        var write = await Should.ThrowAsync<InvalidDataException>(() => store.SaveDelegationAsync(Held(channel, 20)));

        read.Message.ShouldBe($"The watchtower store is corrupt for channel {channel.Id}: an amount is not a 32-byte word.");
        write.Message.ShouldBe($"The watchtower store is corrupt for channel {channel.Id}: the cumulative amount is not a 32-byte word.");
        (await ScalarAsync("SELECT cumulative FROM wt_delegations")).ShouldBe(new string('x', 32));
    }

    [Fact]
    public async Task Read_ReceivedTimeNotIso_RefusedAsCorrupt()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDelegationAsync(Held(channel, 10));
        await ScalarAsync("UPDATE wt_delegations SET received_at = 'yesterday'");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.GetDelegationAsync(channel.Id));

        ex.Message.ShouldBe($"The watchtower store is corrupt for channel {channel.Id}: the received time is not ISO 8601.");
    }

    // ------------------------------------------------------------------ checkpoint

    [Fact]
    public async Task Checkpoint_NoneBeforeTheFirstAdvance()
    {
        (await Open().GetCheckpointAsync()).ShouldBeNull();
    }

    [Fact]
    public async Task AdvanceCheckpoint_KeepsTheNewestBlocksNewestFirst()
    {
        var store = Open();
        for (ulong n = 1; n <= 5; n++)
        {
            await store.AdvanceCheckpointAsync(Block(n), keep: 3);
        }

        var checkpoint = (await store.GetCheckpointAsync()).ShouldNotBeNull();

        checkpoint.Head.ShouldBe(Block(5));
        checkpoint.Recent.ShouldBe([Block(5), Block(4), Block(3)]);
    }

    [Fact]
    public async Task AdvanceCheckpoint_KeepOne_OnlyTheHead()
    {
        var store = Open();
        await store.AdvanceCheckpointAsync(Block(1), keep: 5);
        await store.AdvanceCheckpointAsync(Block(2), keep: 1);

        (await store.GetCheckpointAsync()).ShouldNotBeNull().Recent.ShouldBe([Block(2)]);
    }

    [Fact]
    public async Task AdvanceCheckpoint_ToALowerBlock_ForgetsTheBlocksAboveIt()
    {
        var store = Open();
        for (ulong n = 1; n <= 4; n++)
        {
            await store.AdvanceCheckpointAsync(Block(n), keep: 10);
        }

        await store.AdvanceCheckpointAsync(Block(2, fork: 1), keep: 10);

        var checkpoint = (await store.GetCheckpointAsync()).ShouldNotBeNull();
        checkpoint.Head.ShouldBe(Block(2, fork: 1));
        checkpoint.Recent.ShouldBe([Block(2, fork: 1), Block(1)]);
    }

    [Fact]
    public async Task AdvanceCheckpoint_KeepBelowOne_RefusedAndNothingWritten()
    {
        var store = Open();
        await store.AdvanceCheckpointAsync(Block(1), keep: 3);

        var ex = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => store.AdvanceCheckpointAsync(Block(2), keep: 0));

        ex.ParamName.ShouldBe("keep");
        (await store.GetCheckpointAsync()).ShouldNotBeNull().Recent.ShouldBe([Block(1)]);
    }

    [Fact]
    public async Task Rewind_ToAForkPoint_ForgetsTheBlocksAboveAndMovesTheHead()
    {
        var store = Open();
        for (ulong n = 1; n <= 5; n++)
        {
            await store.AdvanceCheckpointAsync(Block(n), keep: 10);
        }

        await store.RewindAsync(Block(3));

        var checkpoint = (await store.GetCheckpointAsync()).ShouldNotBeNull();
        checkpoint.Head.ShouldBe(Block(3));
        checkpoint.Recent.ShouldBe([Block(3), Block(2), Block(1)]);
    }

    [Fact]
    public async Task Rewind_ToNothing_ForgetsEveryBlock()
    {
        var store = Open();
        await store.AdvanceCheckpointAsync(Block(1), keep: 10);
        await store.AdvanceCheckpointAsync(Block(2), keep: 10);

        await store.RewindAsync(null);

        (await store.GetCheckpointAsync()).ShouldBeNull();
        (await ScalarAsync("SELECT count(*) FROM wt_recent_blocks")).ShouldBe(0L);
    }

    // ------------------------------------------------------------------ disputes

    [Fact]
    public async Task Dispute_StoredAndReadBackFieldByField_ThenReplacedForTheSameKind()
    {
        var store = Open();
        var channel = Channel(1);
        var first = Dispute(channel.Id, DisputeKind.Redeem, amount: 700, seed: 1, attempts: 1, at: T0);
        await store.SaveDisputeAsync(first);
        await store.SaveDisputeAsync(Dispute(channel.Id, DisputeKind.Settle, amount: 0, seed: 9, attempts: 1, at: T0));

        ShouldMatch((await store.GetDisputeAsync(channel.Id, DisputeKind.Redeem)).ShouldNotBeNull(), first);

        var second = Dispute(channel.Id, DisputeKind.Redeem, amount: 800, seed: 2, attempts: 2, at: T0.AddSeconds(30));
        await store.SaveDisputeAsync(second);

        ShouldMatch((await store.GetDisputeAsync(channel.Id, DisputeKind.Redeem)).ShouldNotBeNull(), second);
        (await store.GetDisputeAsync(channel.Id, DisputeKind.Settle)).ShouldNotBeNull().TransactionHash.ToArray().ShouldBe(Bytes(32, 9));
        (await ScalarAsync("SELECT count(*) FROM wt_disputes")).ShouldBe(2L);
    }

    [Fact]
    public async Task Dispute_Unknown_Null()
    {
        var store = Open();
        await store.SaveDisputeAsync(Dispute(Channel(1).Id, DisputeKind.Redeem, 5, 1, 1, T0));

        (await store.GetDisputeAsync(Channel(1).Id, DisputeKind.Settle)).ShouldBeNull();
        (await store.GetDisputeAsync(Channel(2).Id, DisputeKind.Redeem)).ShouldBeNull();
    }

    [Fact]
    public async Task Dispute_TimeNotIso_RefusedAsCorrupt()
    {
        var store = Open();
        var channel = Channel(1);
        await store.SaveDisputeAsync(Dispute(channel.Id, DisputeKind.Redeem, 5, 1, 1, T0));
        await ScalarAsync("UPDATE wt_disputes SET submitted_at = '03/12/2026'");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.GetDisputeAsync(channel.Id, DisputeKind.Redeem));

        ex.Message.ShouldBe($"The watchtower store is corrupt for channel {channel.Id}: a dispute time is not ISO 8601.");
    }

    // ------------------------------------------------------------------ alerts

    [Fact]
    public async Task Alerts_OnePerChannelKindAndAmount_OldestFirst()
    {
        var store = Open();
        var (one, two) = (Channel(1).Id, Channel(2).Id);
        var first = new WatchtowerAlert(one, WatchtowerAlertKind.MissedDispute, 700, 4_000, "first", T0);

        (await store.AddAlertAsync(first)).ShouldBeTrue();
        (await store.AddAlertAsync(first with { Detail = "again", RaisedAt = T0.AddMinutes(1) })).ShouldBeFalse();
        (await store.AddAlertAsync(first with { Amount = 701, Detail = "other amount" })).ShouldBeTrue();
        (await store.AddAlertAsync(first with { ChannelId = two, Detail = "other channel" })).ShouldBeTrue();
        (await store.AddAlertAsync(first with { Kind = WatchtowerAlertKind.DisputeRefused, Detail = "other kind" })).ShouldBeTrue();

        var alerts = await store.ListAlertsAsync();

        alerts.Select(a => a.Detail).ShouldBe(["first", "other amount", "other channel", "other kind"]);
        alerts[0].ShouldBe(first);
        alerts[3].Kind.ShouldBe(WatchtowerAlertKind.DisputeRefused);
    }

    [Fact]
    public async Task Alerts_AppendOnly_UpdateAndDeleteRefusedByTheFile()
    {
        var store = Open();
        await store.AddAlertAsync(new WatchtowerAlert(Channel(1).Id, WatchtowerAlertKind.MissedDispute, 1, 2, "kept", T0));

        var update = await Should.ThrowAsync<SqliteException>(() => ScalarAsync("UPDATE wt_alerts SET detail = 'changed'"));
        var delete = await Should.ThrowAsync<SqliteException>(() => ScalarAsync("DELETE FROM wt_alerts"));

        update.Message.ShouldContain("wt_alerts is append-only");
        delete.Message.ShouldContain("wt_alerts is append-only");
        (await store.ListAlertsAsync()).ShouldHaveSingleItem().Detail.ShouldBe("kept");
    }

    [Fact]
    public async Task Alerts_TimeNotIso_RefusedAsCorrupt()
    {
        var store = Open();
        var channel = Channel(1).Id;
        await store.AddAlertAsync(new WatchtowerAlert(channel, WatchtowerAlertKind.MissedDispute, 1, 2, "x", T0));
        await ScalarAsync("DROP TRIGGER wt_alerts_no_update; UPDATE wt_alerts SET raised_at = 'soon'");

        var ex = await Should.ThrowAsync<InvalidDataException>(() => store.ListAlertsAsync());

        ex.Message.ShouldBe($"The watchtower store is corrupt for channel {channel}: an alert time is not ISO 8601.");
    }

    // ------------------------------------------------------------------ the file

    [Fact]
    public async Task Migrate_NewFile_OwnerOnlyWalAndVersion()
    {
        var store = Open();
        await store.SaveDelegationAsync(Held(Channel(1), 10));

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(DatabasePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (await ScalarAsync("PRAGMA journal_mode")).ShouldBe("wal");
        (await ScalarAsync("PRAGMA user_version")).ShouldBe((long)SqliteWatchtowerStore.SchemaVersion);
        store.Path.ShouldBe(DatabasePath);
        store.ToString().ShouldBe($"SQLite watchtower store at {DatabasePath}");
    }

    [Fact]
    public async Task Migrate_FileFromANewerBuild_Refused()
    {
        await Open().MigrateAsync();
        await ScalarAsync($"PRAGMA user_version = {SqliteWatchtowerStore.SchemaVersion + 1}");
        SqliteConnection.ClearAllPools();

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => new SqliteWatchtowerStore(DatabasePath).MigrateAsync());

        ex.Message.ShouldBe(
            $"SQLite watchtower store '{DatabasePath}' has schema version {SqliteWatchtowerStore.SchemaVersion + 1}, newer than this build's {SqliteWatchtowerStore.SchemaVersion}: upgrade the watchtower.");
    }

    [Fact]
    public void Construct_NoPath_Refused()
    {
        Should.Throw<ArgumentException>(() => new SqliteWatchtowerStore(" ")).ParamName.ShouldBe("path");
    }

    [Fact]
    public async Task NullArguments_RefusedByName_NothingWritten()
    {
        var store = Open();

        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveDelegationAsync(null!))).ParamName.ShouldBe("delegation");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.AdvanceCheckpointAsync(null!, 3))).ParamName.ShouldBe("head");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.SaveDisputeAsync(null!))).ParamName.ShouldBe("dispute");
        (await Should.ThrowAsync<ArgumentNullException>(() => store.AddAlertAsync(null!))).ParamName.ShouldBe("alert");

        File.Exists(DatabasePath).ShouldBeFalse("refused before the file was opened");
    }

    [Fact]
    public async Task AddSqliteWatchtowerStore_OneStoreOnThePathAsTheInterface()
    {
        var services = new ServiceCollection();

        services.AddSqliteWatchtowerStore(DatabasePath).ShouldBeSameAs(services);
        services.AddSqliteWatchtowerStore(Path.Combine(_directory.FullName, "other.db"));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<SqliteWatchtowerStore>();
        store.Path.ShouldBe(DatabasePath);
        provider.GetRequiredService<IWatchtowerStore>().ShouldBeSameAs(store);
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddSqliteWatchtowerStore(" ")).ParamName.ShouldBe("path");
        Should.Throw<ArgumentNullException>(() => SqliteWatchtowerStoreServiceCollectionExtensions.AddSqliteWatchtowerStore(null!, DatabasePath)).ParamName.ShouldBe("services");
    }

    // ------------------------------------------------------------------ helpers

    private SqliteWatchtowerStore Open() => new(DatabasePath);

    private static ChannelParameters Channel(ulong nonce) => new(PayerAddress, PayeeAddress, Address.Zero, 3600, nonce);

    private static Delegation Held(ChannelParameters channel, BigInteger amount, byte signatureSeed = 1, DateTimeOffset? receivedAt = null, ulong? deadline = null) =>
        new(channel, Voucher(channel, amount, signatureSeed), receivedAt ?? T0, deadline, false);

    private static SignedVoucher Voucher(ChannelParameters channel, BigInteger amount, byte signatureSeed) =>
        new(new Voucher(channel.Id, amount), Signature(signatureSeed));

    /// <summary>A well-formed signature (r = seed, s = 1, v = 27): the store keeps signatures, it does not verify them.</summary>
    private static EcdsaSignature Signature(byte seed)
    {
        var rsv = new byte[65];
        rsv[31] = seed;
        rsv[63] = 1;
        rsv[64] = 27;
        EcdsaSignature.TryParseRsv(rsv, out var signature).ShouldBeTrue();
        return signature;
    }

    private static BlockMark Block(ulong number, byte fork = 0)
    {
        var hash = Bytes(32, (byte)number);
        hash[0] = fork;
        return new BlockMark(number, hash);
    }

    private static DisputeRecord Dispute(ChannelId channel, DisputeKind kind, BigInteger amount, byte seed, int attempts, DateTimeOffset at) =>
        new(channel, kind, amount, Bytes(32, seed), Bytes(110, (byte)(seed + 100)), attempts, at);

    private static byte[] Bytes(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static void ShouldMatch(DisputeRecord actual, DisputeRecord expected)
    {
        actual.ChannelId.ShouldBe(expected.ChannelId);
        actual.Kind.ShouldBe(expected.Kind);
        actual.Amount.ShouldBe(expected.Amount);
        actual.TransactionHash.ToArray().ShouldBe(expected.TransactionHash.ToArray());
        actual.RawTransaction.ToArray().ShouldBe(expected.RawTransaction.ToArray());
        actual.Attempts.ShouldBe(expected.Attempts);
        actual.SubmittedAt.ShouldBe(expected.SubmittedAt);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
