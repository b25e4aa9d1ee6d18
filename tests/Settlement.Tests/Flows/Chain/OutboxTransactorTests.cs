using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;
using Settlement.Service.Flows.Chain;

namespace Settlement.Service.Tests.Flows.Chain;

/// <summary>
/// One step's transaction through the outbox over a node in memory: a new step is stored before the node sees it, a
/// stored one is re-sent as the identical bytes (or only awaited once mined), and a step asked for another transaction
/// than the stored one, a stored row that does not decode, or a node that lost the stored nonce stop with nothing sent.
/// </summary>
public sealed class OutboxTransactorTests : IDisposable
{
    private const string Step = "topup/1/fund/mint";
    private const string PlatformLower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Address Holder = Address.Parse("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    private static readonly byte[] Mint = FakeChainNode.Call("mint(address,uint256)", FakeChainNode.Word(Holder), FakeChainNode.Word(500));

    private readonly FakeChainNode _node = new();
    private readonly MemoryChainOutbox _outbox = new();
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly PrivateKey _platform = PrivateKey.ParseHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    private readonly PrivateKey _other = PrivateKey.ParseHex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

    public void Dispose()
    {
        _platform.Dispose();
        _other.Dispose();
        _node.Dispose();
    }

    [Fact]
    public async Task NewStep_StoredBeforeTheBroadcast_ThenMarkedMinedInItsBlock()
    {
        var broadcastsWhenStored = -1;
        _outbox.OnAdd = _ =>
        {
            broadcastsWhenStored = _node.Broadcasts.Count;
            return null;
        };
        _clock.Advance(TimeSpan.FromMinutes(3));
        var transactor = Transactor();

        var receipt = await transactor.SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero);

        transactor.Sender.ShouldBe(_platform.Address);
        broadcastsWhenStored.ShouldBe(0);
        var sent = _node.Broadcasts.ShouldHaveSingleItem();
        sent.Sender.ShouldBe(_platform.Address);
        sent.Transaction.To.ShouldBe(FakeChainNode.Token);
        sent.Transaction.Data.ShouldBe(Mint);
        sent.Transaction.Value.ShouldBe(BigInteger.Zero);
        sent.Transaction.Nonce.ShouldBe(0UL);
        receipt.Succeeded.ShouldBeTrue();
        receipt.TransactionHash.ShouldBe(sent.Hash.ToArray());
        receipt.BlockNumber.ShouldBe(FakeChainNode.FirstBlock + 1);
        var entry = _outbox.Entries.ShouldHaveSingleItem();
        entry.Key.ShouldBe(Step);
        ShouldBeEntry(entry.Value, sent, T0.AddMinutes(3), FakeChainNode.FirstBlock + 1);
    }

    [Fact]
    public async Task StoredButNeverBroadcast_SendsTheStoredBytes_SignsNothingNew()
    {
        var stored = Sign(_platform, FakeChainNode.Token, Mint, BigInteger.Zero, nonce: 0);
        _outbox.Put(Entry(stored, minedBlock: null));

        var receipt = await Transactor().SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero);

        _node.Broadcasts.ShouldHaveSingleItem().ToArray().ShouldBe(stored.ToArray());
        receipt.TransactionHash.ShouldBe(stored.Hash.ToArray());
        ShouldBeEntry(_outbox.Entries[Step], stored, T0, FakeChainNode.FirstBlock + 1);
    }

    [Fact]
    public async Task StoredAndMined_OnlyTheReceiptIsRead_NothingIsSent()
    {
        var stored = Sign(_platform, FakeChainNode.Token, Mint, BigInteger.Zero, nonce: 0);
        (await _node.Sender().RebroadcastAsync(stored)).ShouldBeTrue();
        _outbox.Put(Entry(stored, minedBlock: FakeChainNode.FirstBlock + 1));

        var receipt = await Transactor().SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero);

        _node.Broadcasts.Count.ShouldBe(1); // the node's copy from before; the transactor sent nothing
        receipt.TransactionHash.ShouldBe(stored.Hash.ToArray());
        receipt.BlockNumber.ShouldBe(FakeChainNode.FirstBlock + 1);
    }

    [Fact]
    public async Task StoredButTheNodeRefusesItAndDoesNotHoldIt_ThrowsForAnOperator_NothingMarked()
    {
        var stored = Sign(_platform, FakeChainNode.Token, Mint, BigInteger.Zero, nonce: 7);
        _outbox.Put(Entry(stored, minedBlock: null));
        _node.Refuse = _ => true;

        var e = await Should.ThrowAsync<InvalidOperationException>(() => Transactor().SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero));

        e.Message.ShouldBe(
            $"Chain step '{Step}': the node refuses the stored transaction {stored.HashHex} (nonce 7) and does not hold it; "
            + "its nonce was used by another transaction of the same account. The step needs an operator.");
        _node.Broadcasts.ShouldHaveSingleItem().ToArray().ShouldBe(stored.ToArray());
        _node.Methods.ShouldNotContain("eth_getTransactionReceipt");
        _outbox.Entries[Step].MinedBlock.ShouldBeNull();
    }

    [Theory]
    [InlineData("sender")]
    [InlineData("recipient")]
    [InlineData("value")]
    [InlineData("data")]
    public async Task StoredStepAskedForAnotherTransaction_ConflictWithNothingSent(string differs)
    {
        var stored = differs switch
        {
            "sender" => Sign(_other, FakeChainNode.Token, Mint, BigInteger.Zero, nonce: 0),
            "recipient" => Sign(_platform, FakeChainNode.Channels, Mint, BigInteger.Zero, nonce: 0),
            "value" => Sign(_platform, FakeChainNode.Token, Mint, BigInteger.One, nonce: 0),
            _ => Sign(_platform, FakeChainNode.Token, [.. Mint[..^1], 0x01], BigInteger.Zero, nonce: 0),
        };
        _outbox.Put(Entry(stored, minedBlock: null));

        var e = await Should.ThrowAsync<ChainStepConflictException>(() => Transactor().SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero));

        e.StepKey.ShouldBe(Step);
        e.Message.ShouldBe(
            $"Chain step '{Step}' is already bound to another transaction: the stored transaction {stored.HashHex} has another sender, recipient, value or call data. Nothing was sent.");
        _node.Methods.ShouldBeEmpty();
        _outbox.Entries[Step].MinedBlock.ShouldBeNull();
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x02 }, "unsupported transaction type 0x01")]
    [InlineData(null, "chain id 1 does not match the expected chain id 31337")]
    public async Task StoredBytesThatDoNotDecodeForThisChain_Throw_NothingSent(byte[]? raw, string error)
    {
        var otherChain = new Eip1559Transaction
        {
            ChainId = 1, Nonce = 0, MaxPriorityFeePerGas = 3, MaxFeePerGas = 17, GasLimit = 90_000, To = FakeChainNode.Token, Data = Mint,
        }.Sign(_platform);
        _outbox.Put(new ChainOutboxEntry(Step, PlatformLower, 0, otherChain.HashHex, raw ?? otherChain.ToArray(), T0));

        var e = await Should.ThrowAsync<InvalidOperationException>(() => Transactor().SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero));

        e.Message.ShouldBe($"Chain step '{Step}': the stored transaction does not decode ({error}).");
        _node.Methods.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnotherProcessStoredTheStepFirst_ConflictBeforeTheBroadcast_NonceReleased()
    {
        const string firstHash = "0x1111111111111111111111111111111111111111111111111111111111111111";
        _outbox.OnAdd = e => e with { TransactionHash = firstHash };
        var sender = _node.Sender();

        var e = await Should.ThrowAsync<ChainStepConflictException>(() => Transactor(sender).SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero));

        e.StepKey.ShouldBe(Step);
        e.Message.ShouldBe($"Chain step '{Step}' is already bound to another transaction: transaction {firstHash} was stored for it first. Nothing was sent.");
        _node.Broadcasts.ShouldBeEmpty();
        _node.Methods.ShouldNotContain("eth_sendRawTransaction");

        // The nonce the refused signature reserved is handed out again.
        _outbox.OnAdd = null;
        await new OutboxTransactor(sender, _platform, _outbox, "topup/2/fund/mint", FakeChainNode.ChainId, _clock).SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero);
        _node.Broadcasts.ShouldHaveSingleItem().Transaction.Nonce.ShouldBe(0UL);
    }

    [Fact]
    public async Task MinedWithStatusZero_RevertedWithTheReplayedReason_AndTheBlockRecorded()
    {
        _node.RevertWhenMined("mint", FakeChainNode.ErrorString("cap exceeded"));

        var e = await Should.ThrowAsync<TransactionRevertedException>(() => Transactor().SendAsync(FakeChainNode.Token, Mint, BigInteger.Zero));

        e.Reason.ShouldBe("cap exceeded");
        e.Receipt!.BlockNumber.ShouldBe(FakeChainNode.FirstBlock + 1);
        _outbox.Entries[Step].MinedBlock.ShouldBe(FakeChainNode.FirstBlock + 1);
    }

    private OutboxTransactor Transactor(TransactionSender? sender = null) =>
        new(sender ?? _node.Sender(), _platform, _outbox, Step, FakeChainNode.ChainId, _clock);

    private static SignedTransaction Sign(PrivateKey key, Address to, byte[] data, BigInteger value, ulong nonce) =>
        new Eip1559Transaction
        {
            ChainId = FakeChainNode.ChainId, Nonce = nonce, MaxPriorityFeePerGas = 3, MaxFeePerGas = 17, GasLimit = 90_000, To = to, Value = value, Data = data,
        }.Sign(key);

    private static ChainOutboxEntry Entry(SignedTransaction signed, ulong? minedBlock) =>
        new(Step, signed.Sender.ToLowerHex(), signed.Transaction.Nonce, signed.HashHex, signed.ToArray(), T0, minedBlock);

    private static void ShouldBeEntry(ChainOutboxEntry entry, SignedTransaction signed, DateTimeOffset createdAt, ulong minedBlock)
    {
        entry.StepKey.ShouldBe(Step);
        entry.Sender.ShouldBe(PlatformLower);
        entry.Nonce.ShouldBe(signed.Transaction.Nonce);
        entry.TransactionHash.ShouldBe(signed.HashHex);
        entry.RawTransaction.ToArray().ShouldBe(signed.ToArray());
        entry.CreatedAt.ShouldBe(createdAt);
        entry.MinedBlock.ShouldBe(minedBlock);
    }
}
