using System.Numerics;
using Settlement.Channels.Payer.Storage;

namespace Settlement.Channels.Tests.Payer.Storage;

public sealed class PayerWriteBatcherTests
{
    [Fact]
    public async Task Writes_QueuedBehindABusyStore_MergeToTheHighestSignedAndAcknowledgedPerChannel()
    {
        using var w = new PayerWorld(1_000);
        var other = w.Key with { ChainId = 1 };
        var store = new RecordingPayerStore(holdFirstBatch: true);
        var batcher = new PayerWriteBatcher(store);
        var first = batcher.WriteAsync(new PayerVoucherWrite(w.Key, w.Contract.SignVoucher(w.PayerKey, w.Key.ChannelId, 1), null));
        await store.FirstBatchStarted;

        var high = w.Contract.SignVoucher(w.PayerKey, w.Key.ChannelId, 200);
        Task[] queued =
        [
            batcher.WriteAsync(new PayerVoucherWrite(w.Key, high, null)),
            batcher.WriteAsync(new PayerVoucherWrite(w.Key, w.Contract.SignVoucher(w.PayerKey, w.Key.ChannelId, 100), 50)),
            batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 40)),
            batcher.WriteAsync(new PayerVoucherWrite(other, null, 7)),
        ];
        store.Release();
        await first;
        await Task.WhenAll(queued);
        await batcher.DisposeAsync();

        store.Batches.Count.ShouldBe(2);
        var merged = store.Batches[1].ToDictionary(x => x.Key);
        merged.Count.ShouldBe(2);
        merged[w.Key].ShouldBe(new PayerVoucherWrite(w.Key, high, 50));
        merged[other].ShouldBe(new PayerVoucherWrite(other, null, 7));
    }

    [Fact]
    public async Task Batches_AfterOneIsWritten_CarryOnlyTheNewWrites()
    {
        using var w = new PayerWorld(1_000);
        var store = new RecordingPayerStore(holdFirstBatch: false);
        var batcher = new PayerWriteBatcher(store);

        await batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 5));
        var other = w.Key with { ChainId = 1 };
        await batcher.WriteAsync(new PayerVoucherWrite(other, null, 6));
        await batcher.DisposeAsync();

        store.Batches.Count.ShouldBe(2);
        store.Batches[1].ShouldHaveSingleItem().ShouldBe(new PayerVoucherWrite(other, null, 6));
    }

    [Fact]
    public async Task StoreFault_FailsEveryWaiterOfThatBatchWithTheCauseAndLaterBatchesStillWrite()
    {
        using var w = new PayerWorld(1_000);
        var store = new RecordingPayerStore(holdFirstBatch: true);
        store.FailBatches.Add(1);
        var batcher = new PayerWriteBatcher(store);
        var first = batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 1));
        await store.FirstBatchStarted;
        var a = batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 2));
        var b = batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 3));
        store.Release();
        await first;

        (await Should.ThrowAsync<IOException>(() => a)).Message.ShouldBe("injected fault in batch 1");
        (await Should.ThrowAsync<IOException>(() => b)).Message.ShouldBe("injected fault in batch 1");
        await batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 4));
        await batcher.DisposeAsync();

        store.Batches.Count.ShouldBe(3);
        store.Batches[2].ShouldHaveSingleItem().Acknowledged.ShouldBe(new BigInteger(4));
    }

    [Fact]
    public async Task Dispose_WaitsForTheQueuedWritesThenRefusesNewOnes()
    {
        using var w = new PayerWorld(1_000);
        var store = new RecordingPayerStore(holdFirstBatch: true);
        var batcher = new PayerWriteBatcher(store);
        var write = batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 1));
        await store.FirstBatchStarted;

        var disposing = batcher.DisposeAsync().AsTask();
        disposing.IsCompleted.ShouldBeFalse();
        store.Release();
        await disposing;
        await write;

        Should.Throw<ObjectDisposedException>(() => batcher.WriteAsync(new PayerVoucherWrite(w.Key, null, 2)));
        store.Batches.Count.ShouldBe(1);
    }
}
