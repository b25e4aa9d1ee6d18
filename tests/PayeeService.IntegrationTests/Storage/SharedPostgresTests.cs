using System.Numerics;
using Npgsql;
using Settlement.Channels.IntegrationTests.Payee.Storage;
using Settlement.Channels.Payee;
using Settlement.Channels.Storage.PostgreSql;
using Settlement.Channels.Transport;
using Settlement.PayeeService.IntegrationTests.Support;

namespace Settlement.PayeeService.IntegrationTests.Storage;

/// <summary>Two payee instances over one PostgreSQL database: a payer may move between them mid-stream.</summary>
[Collection(PayeeCollection.Name)]
public sealed class SharedPostgresTests(PayeeWorldFixture fixture, PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Step = 100;

    [Fact]
    public async Task Stream_ReconnectToOtherInstanceMidStream_NothingLostEachAmountCountedOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var channel = await fixture.OpenChannelAsync(1_000_000);
        await using var a = await fixture.StartPayeeAsync(output, database: database);
        await using var b = await fixture.StartPayeeAsync(output, database: database);
        var acceptedByA = new List<BigInteger>();
        var acceptedByB = new List<BigInteger>();

        await using (var toA = await PayeeStreamClient.ConnectAsync(a.StreamUrl, fixture.ChainId, fixture.Contract))
        {
            var acks = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => toA.SendAsync(channel.Voucher(i * Step))));
            acks.ShouldAllBe(ack => ack.Outcome == AckOutcome.Accepted);
            acceptedByA.AddRange(acks.Select(ack => ack.SubmittedAmount));
        }

        await using (var toB = await PayeeStreamClient.ConnectAsync(b.StreamUrl, fixture.ChainId, fixture.Contract))
        {
            // The payer resends its last voucher: B holds it already (A stored it), a duplicate naming A's amount.
            var first = await toB.SendAsync(channel.Voucher(50 * Step));
            first.Outcome.ShouldBe(AckOutcome.Duplicate);
            first.StoredAmount.ShouldBe(new BigInteger(50 * Step));

            var acks = await Task.WhenAll(Enumerable.Range(51, 50).Select(i => toB.SendAsync(channel.Voucher(i * Step))));
            acks.ShouldAllBe(ack => ack.Outcome == AckOutcome.Accepted);
            acceptedByB.AddRange(acks.Select(ack => ack.SubmittedAmount));
        }

        // A replay of an amount B accepted, sent to A (whose memory still says 50 × Step), is not counted again.
        await using (var backToA = await PayeeStreamClient.ConnectAsync(a.StreamUrl, fixture.ChainId, fixture.Contract))
        {
            var replay = await backToA.SendAsync(channel.Voucher(60 * Step));
            replay.Outcome.ShouldBe(AckOutcome.Rejected);
            replay.RejectCode.ShouldBe(VoucherRejectCode.Stale);
            replay.StoredAmount.ShouldBe(new BigInteger(100 * Step));
            (await backToA.SendAsync(channel.Voucher(100 * Step))).Outcome.ShouldBe(AckOutcome.Duplicate);
        }

        acceptedByA.Intersect(acceptedByB).ShouldBeEmpty();
        acceptedByA.Concat(acceptedByB).Order().ShouldBe(Enumerable.Range(1, 100).Select(i => new BigInteger(i * Step)));
        await using var dataSource = NpgsqlDataSource.Create(database);
        (await new PostgreSqlVoucherStore(dataSource).GetNewestAsync(channel.Key))!.Cumulative.ShouldBe(new BigInteger(100 * Step));
        RunningPayee.NewestInStatus((await a.StatusAsync(channel.Key)).Body).ShouldBe(new BigInteger(100 * Step));
        RunningPayee.NewestInStatus((await b.StatusAsync(channel.Key)).Body).ShouldBe(new BigInteger(100 * Step));
    }
}
