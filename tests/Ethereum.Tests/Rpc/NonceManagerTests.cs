using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;
using static Settlement.Ethereum.Tests.Rpc.ScriptedRpcHandler;

namespace Settlement.Ethereum.Tests.Rpc;

public sealed class NonceManagerTests
{
    private static readonly Address Account = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private readonly ScriptedRpcHandler _node = new();
    private ulong _pending = 5;

    public NonceManagerTests() =>
        _node.Respond = (method, _, _) => method == "eth_getTransactionCount" ? Reply.Result($"\"{Quantity.Format(Volatile.Read(ref _pending))}\"") : Reply.Error(-32601, "no");

    private NonceManager Manager() =>
        new(new EthereumRpcClient(new HttpClient(_node), new EthereumRpcOptions { Url = new Uri("http://127.0.0.1:1/"), ChainId = 1 }));

    [Fact]
    public async Task ReserveAsync_100Concurrent_DistinctConsecutiveNoncesFromOneNodeRead()
    {
        var manager = Manager();
        var reservations = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => manager.ReserveAsync(Account))));
        reservations.Select(r => r.Nonce).Order().ShouldBe(Enumerable.Range(5, 100).Select(i => (ulong)i));
        _node.CountOf("eth_getTransactionCount").ShouldBe(1);
        _node.Bodies[0].ShouldContain("\"pending\"");
    }

    [Fact]
    public async Task Release_Highest_RollsBackSoNoGap()
    {
        var manager = Manager();
        var a = await manager.ReserveAsync(Account);
        var b = await manager.ReserveAsync(Account);
        a.Commit();
        b.Release();
        manager.PeekNext(Account).ShouldBe(6UL);
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(6UL);
    }

    [Fact]
    public async Task Release_Middle_IsReusedFirst()
    {
        var manager = Manager();
        var a = await manager.ReserveAsync(Account);
        var b = await manager.ReserveAsync(Account);
        var c = await manager.ReserveAsync(Account);
        a.Commit();
        c.Commit();
        b.Release();
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(6UL);
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(8UL);
    }

    [Fact]
    public async Task Dispose_Uncommitted_Releases_Committed_Stays()
    {
        var manager = Manager();
        using (var r = await manager.ReserveAsync(Account))
        {
            r.Nonce.ShouldBe(5UL);
        }

        var again = await manager.ReserveAsync(Account);
        again.Nonce.ShouldBe(5UL);
        again.Commit();
        again.Release();
        again.Dispose();
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(6UL);
    }

    [Fact]
    public async Task ResyncAsync_NodeMovedAhead_NextFollowsNode()
    {
        var manager = Manager();
        (await manager.ReserveAsync(Account)).Commit();
        Volatile.Write(ref _pending, 20);
        await manager.ResyncAsync(Account);
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(20UL);
    }

    [Fact]
    public async Task ResyncAsync_NodeBehind_KeepsReservedAndCommittedFreesTheRest()
    {
        var manager = Manager();
        var r5 = await manager.ReserveAsync(Account);
        var r6 = await manager.ReserveAsync(Account);
        var r7 = await manager.ReserveAsync(Account);
        var r8 = await manager.ReserveAsync(Account);
        r5.Commit();
        r7.Commit();

        // The node saw nonce 5 only; 6 never arrived (still reserved), 7 is queued behind it, 8 reserved.
        Volatile.Write(ref _pending, 6);
        await manager.ResyncAsync(Account);
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(9UL);
        r6.Release();
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(6UL);
        r8.Release();
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(8UL);
    }

    [Fact]
    public async Task ReserveAsync_AccountsAreIndependent()
    {
        var manager = Manager();
        var other = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(5UL);
        (await manager.ReserveAsync(other)).Nonce.ShouldBe(5UL);
        (await manager.ReserveAsync(Account)).Nonce.ShouldBe(6UL);
        _node.CountOf("eth_getTransactionCount").ShouldBe(2);
    }
}
