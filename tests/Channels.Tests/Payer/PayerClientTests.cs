using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Payee;
using Settlement.Channels.Payee.Receipts;
using Settlement.Channels.Payer;
using Settlement.Channels.Payer.Receipts;
using Settlement.Channels.Payer.Storage;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.Tests.Payer;

/// <summary>
/// <see cref="PayerClient"/> without a payee stream: argument checks, the one-instance-per-channel cache, finding an
/// open channel, adopting one from the chain, and refusals to open that send nothing.
/// </summary>
public sealed class PayerClientTests
{
    private static readonly Address OtherContract = Address.Parse("0x00000000000000000000000000000000000000cc");

    [Fact]
    public void Create_NullArgument_ThrowsNamingIt()
    {
        using var w = new PayerWorld(1_000);

        Should.Throw<ArgumentNullException>(() => new PayerClient(null!, w.Rpc, w.PayerKey, w.Store)).ParamName.ShouldBe("contract");
        Should.Throw<ArgumentNullException>(() => new PayerClient(w.Contract, null!, w.PayerKey, w.Store)).ParamName.ShouldBe("rpc");
        Should.Throw<ArgumentNullException>(() => new PayerClient(w.Contract, w.Rpc, null!, w.Store)).ParamName.ShouldBe("payerKey");
        Should.Throw<ArgumentNullException>(() => new PayerClient(w.Contract, w.Rpc, w.PayerKey, null!)).ParamName.ShouldBe("store");
    }

    [Fact]
    public void Create_NegativeDepositConfirmations_ThrowsNamingOptions()
    {
        using var w = new PayerWorld(100);

        Should.Throw<ArgumentOutOfRangeException>(() => w.NewClient(new PayerClientOptions { DepositConfirmations = -1 })).ParamName.ShouldBe("options");
    }

    [Fact]
    public async Task Create_KeepsTheGivenOptionsOrDefaults()
    {
        using var w = new PayerWorld(1_000);
        var options = new PayerClientOptions { TimeProvider = w.Clock, RetryDelay = TimeSpan.FromSeconds(3) };
        await using var given = w.NewClient(options);
        await using var defaulted = new PayerClient(w.Contract, w.Rpc, w.PayerKey, w.Store);

        given.Options.ShouldBeSameAs(options);
        defaulted.Options.RetryDelay.ShouldBe(TimeSpan.FromMilliseconds(250));
        given.Payer.ShouldBe(w.PayerKey.Address);
        given.ChainId.ShouldBe(PayerWorld.ChainId);
        given.Contract.ShouldBeSameAs(w.Contract);
    }

    [Fact]
    public async Task GetChannel_Twice_TheSameInstance()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();

        var a = await client.GetChannelAsync(w.Key.ChannelId);
        var b = await client.GetChannelAsync(w.Key.ChannelId);

        a.ShouldNotBeNull();
        b.ShouldBeSameAs(a);
    }

    [Fact]
    public async Task GetChannel_UnknownThenStored_NullIsNotRemembered()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var later = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 9);

        (await client.GetChannelAsync(later.Id)).ShouldBeNull();
        await w.Store.SaveChannelAsync(new PayerChannelRecord(w.Key with { ChannelId = later.Id }, later, 77, 0, null, PayerChannelStatus.Open));

        (await client.GetChannelAsync(later.Id))!.Deposit.ShouldBe(new BigInteger(77));
    }

    [Fact]
    public async Task GetChannel_StoreFaultWhileLoading_ThrowsAndTheNextCallReadsAgain()
    {
        var store = new InMemoryPayerStore();
        using var w = new PayerWorld(1_000, store);
        await using var client = w.NewClient();
        store.FailNextRead = true;

        await Should.ThrowAsync<IOException>(() => client.GetChannelAsync(w.Key.ChannelId));

        (await client.GetChannelAsync(w.Key.ChannelId))!.Deposit.ShouldBe(new BigInteger(1_000));
    }

    [Fact]
    public async Task GetChannel_AfterRestart_NewestReceiptIsTheHighestStored()
    {
        using var w = new PayerWorld(1_000);
        var signer = new ReceiptSigner(w.PayeeKey);
        foreach (var amount in new[] { 400, 300 })
        {
            var r = signer.Sign(w.Key, amount, 1);
            await w.Store.AppendReceiptAsync(new PayerReceipt(w.Key, amount, 1, r.Signature, w.Clock.GetUtcNow()));
        }

        await using var client = w.NewClient();
        var channel = await w.ChannelAsync(client);

        channel.NewestReceipt!.Cumulative.ShouldBe(new BigInteger(400));
    }

    [Fact]
    public async Task Dispose_StopsTheWriter_SigningAfterwardsFailsAndStoresNothing()
    {
        using var w = new PayerWorld(1_000);
        var client = w.NewClient();
        var channel = await w.ChannelAsync(client);
        await channel.SignNextAsync(10);

        await client.DisposeAsync();

        await Should.ThrowAsync<InvalidOperationException>(() => channel.SignNextAsync(5));
        (await w.Store.GetChannelAsync(w.Key))!.SignedAmount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public async Task FindOpen_PicksTheNewestOpenChannelWithEnoughLeft()
    {
        using var w = new PayerWorld(1_000);
        var newer = await SaveChannelAsync(w, nonce: 2, deposit: 100);
        var closed = await SaveChannelAsync(w, nonce: 3, deposit: 5_000, status: PayerChannelStatus.Closing);
        await using var client = w.NewClient();

        (await client.FindOpenAsync(w.PayeeKey.Address, Address.Zero, 100))!.Id.ShouldBe(newer.Id);
        (await client.FindOpenAsync(w.PayeeKey.Address, Address.Zero, 101))!.Id.ShouldBe(w.Key.ChannelId);
        (await client.FindOpenAsync(w.PayeeKey.Address, Address.Zero, 1_001)).ShouldBeNull();
        (await client.FindOpenAsync(w.StrangerKey.Address, Address.Zero, 1)).ShouldBeNull();
        (await client.FindOpenAsync(w.PayeeKey.Address, OtherContract, 1)).ShouldBeNull();
        closed.Id.ShouldNotBe(newer.Id);
    }

    [Fact]
    public async Task FindOpen_ChannelFullySigned_NotOfferedEvenForZero()
    {
        using var w = new PayerWorld(100);
        await using var client = w.NewClient();
        await (await w.ChannelAsync(client)).SignNextAsync(100);

        (await client.FindOpenAsync(w.PayeeKey.Address, Address.Zero, 0)).ShouldBeNull();
    }

    [Fact]
    public async Task FindOpen_ChannelOfAnotherContractOrChain_Ignored()
    {
        using var w = new PayerWorld(1_000);
        await using var client = w.NewClient();
        var elsewhere = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 5);
        await w.Store.SaveChannelAsync(new PayerChannelRecord(new ChannelKey(PayerWorld.ChainId, OtherContract, elsewhere.Id), elsewhere, 9_000, 0, null, PayerChannelStatus.Open));
        await w.Store.SaveChannelAsync(new PayerChannelRecord(new ChannelKey(1, PayerWorld.ContractAddress, elsewhere.Id), elsewhere, 9_000, 0, null, PayerChannelStatus.Open));

        (await client.FindOpenAsync(w.PayeeKey.Address, Address.Zero, 2_000)).ShouldBeNull();
        (await client.ListChannelsAsync()).Count.ShouldBe(3);
    }

    [Fact]
    public async Task FindOrOpen_AnotherChainOrContract_ThrowsAndAKnownChannelIsReturnedWithoutATransaction()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var request = new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 500);

        await Should.ThrowAsync<ArgumentException>(() => client.FindOrOpenAsync(1, PayerWorld.ContractAddress, request, 1));
        await Should.ThrowAsync<ArgumentException>(() => client.FindOrOpenAsync(PayerWorld.ChainId, OtherContract, request, 1));
        await Should.ThrowAsync<ArgumentNullException>(() => client.FindOrOpenAsync(PayerWorld.ChainId, PayerWorld.ContractAddress, null!, 1));

        var found = await client.FindOrOpenAsync(PayerWorld.ChainId, PayerWorld.ContractAddress, request, 1);

        found.ShouldBeSameAs(await w.ChannelAsync(client));
        w.Chain!.Sent.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Open_NotPositiveDeposit_ThrowsAndSendsNothing(int deposit)
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();

        var thrown = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, deposit)));

        thrown.ParamName.ShouldBe("request");
        w.Chain!.Sent.ShouldBeEmpty();
        (await client.ListChannelsAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Open_NoTransactorOrPermitMissing_ThrowsAndSendsNothing()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var bare = w.NewClient(new PayerClientOptions { TimeProvider = w.Clock });
        await using var client = w.NewClient();
        var token = Address.Parse("0x00000000000000000000000000000000000000aa");

        await Should.ThrowAsync<ArgumentNullException>(() => client.OpenAsync(null!));
        (await Should.ThrowAsync<InvalidOperationException>(() => bare.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 10))))
            .Message.ShouldContain("PayerClientOptions.Transactor");
        (await Should.ThrowAsync<ArgumentException>(() => client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, token, 10) { Funding = ChannelFunding.Permit })))
            .Message.ShouldContain("permit signature");

        w.Chain!.Sent.ShouldBeEmpty();
    }

    [Fact]
    public async Task Open_Ether_SendsTheDepositAsValueAndKeepsTheChannelWithItsStream()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var stream = new Uri("ws://127.0.0.1:9/stream");

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 500) { ChallengePeriodSeconds = 600, PayeeStreamUrl = stream });

        var open = w.Chain!.Sent.ShouldHaveSingleItem();
        open.Function.ShouldBe("open");
        open.Value.ShouldBe(new BigInteger(500));
        channel.Parameters.ShouldBe(new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 600, 100));
        channel.Deposit.ShouldBe(new BigInteger(500));
        channel.Status.ShouldBe(PayerChannelStatus.Open);
        var stored = (await w.Store.GetChannelAsync(w.Key with { ChannelId = channel.Id }))!.Record;
        stored.ShouldBe(new PayerChannelRecord(w.Key with { ChannelId = channel.Id }, channel.Parameters, 500, 0, stream, PayerChannelStatus.Open));
        (await client.GetChannelAsync(channel.Id)).ShouldBeSameAs(channel);
    }

    [Theory]
    [InlineData(ChannelFunding.Approve, new[] { "approve", "open" })]
    [InlineData(ChannelFunding.Allowance, new[] { "open" })]
    public async Task Open_Token_ApprovesUnlessTheAllowanceExistsAndSendsNoValue(ChannelFunding funding, string[] functions)
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var token = Address.Parse("0x00000000000000000000000000000000000000aa");

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, token, 500) { Funding = funding });

        w.Chain!.Functions.ShouldBe(functions);
        w.Chain.Sent[^1].Value.ShouldBe(BigInteger.Zero);
        channel.Parameters.Token.ShouldBe(token);
    }

    [Fact]
    public async Task Open_TokenWithPermit_OneTransactionWithThePermit()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var token = Address.Parse("0x00000000000000000000000000000000000000aa");
        var permit = new CooperativeCloseState(w.Key.ChannelId, 1, 0, 1_900_000_000).Sign(w.PayerKey, w.Contract.Domain); // any signature: the chain checks it

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, token, 500) { Funding = ChannelFunding.Permit, Permit = permit, PermitDeadline = 1_900_000_000 });

        w.Chain!.Functions.ShouldBe(["openWithPermit"]);
        channel.Deposit.ShouldBe(new BigInteger(500));
    }

    [Fact]
    public async Task Open_ByAnotherFunder_TheFunderSendsAndTheClientsKeyIsThePayer()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient(new PayerClientOptions { TimeProvider = w.Clock });
        using var funder = new FakeChain(w.StrangerKey.Address);

        var channel = await client.OpenAsync(new OpenChannelRequest(w.PayeeKey.Address, Address.Zero, 500) { Funder = funder });

        funder.Functions.ShouldBe(["open"]);
        w.Chain!.Sent.ShouldBeEmpty();
        channel.Parameters.Payer.ShouldBe(w.PayerKey.Address);
    }

    [Fact]
    public async Task FindOrOpen_NoOpenChannelToThePayee_OpensOne()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();

        var channel = await client.FindOrOpenAsync(PayerWorld.ChainId, PayerWorld.ContractAddress, new OpenChannelRequest(w.StrangerKey.Address, Address.Zero, 300), 1);

        w.Chain!.Functions.ShouldBe(["open"]);
        channel.Parameters.Payee.ShouldBe(w.StrangerKey.Address);
        (await client.FindOpenAsync(w.StrangerKey.Address, Address.Zero, 300)).ShouldBeSameAs(channel);
    }

    [Fact]
    public async Task Adopt_AnotherPayersChannel_ThrowsAndStoresNothing()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var theirs = new ChannelParameters(w.StrangerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 4);

        await Should.ThrowAsync<ArgumentNullException>(() => client.AdoptAsync(null!));
        (await Should.ThrowAsync<ArgumentException>(() => client.AdoptAsync(theirs))).ParamName.ShouldBe("parameters");

        w.Chain!.StateReads.ShouldBe(0);
        (await client.ListChannelsAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Adopt_KnownChannel_ReturnsItWithoutReadingTheChain()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        await using var client = w.NewClient();
        var known = await w.ChannelAsync(client);

        (await client.AdoptAsync(w.Parameters)).ShouldBeSameAs(known);

        w.Chain!.StateReads.ShouldBe(0);
    }

    [Fact]
    public async Task Adopt_NotOnChain_ThrowsAndStoresNothing()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(false, 0, 0, 0, 0, 0);
        await using var client = w.NewClient();
        var funded = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 8);

        await Should.ThrowAsync<InvalidOperationException>(() => client.AdoptAsync(funded));

        (await client.GetChannelAsync(funded.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task Adopt_OnChain_KeepsTheChainsDepositsAndTheStreamUrl()
    {
        using var w = new PayerWorld(1_000, withChain: true);
        w.Chain!.State = new ChannelState(true, 800, 0, 20, 0, 0);
        await using var client = w.NewClient();
        var funded = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, 8);

        var channel = await client.AdoptAsync(funded);

        channel.Id.ShouldBe(funded.Id);
        channel.Deposit.ShouldBe(new BigInteger(800));
        channel.PayeeDeposit.ShouldBe(new BigInteger(20));
        var stored = (await w.Store.GetChannelAsync(w.Key with { ChannelId = funded.Id }))!;
        stored.Record.ShouldBe(new PayerChannelRecord(w.Key with { ChannelId = funded.Id }, funded, 800, 20, null, PayerChannelStatus.Open));
        (await client.GetChannelAsync(funded.Id)).ShouldBeSameAs(channel);
    }

    private static async Task<ChannelParameters> SaveChannelAsync(PayerWorld w, ulong nonce, BigInteger deposit, PayerChannelStatus status = PayerChannelStatus.Open)
    {
        var p = new ChannelParameters(w.PayerKey.Address, w.PayeeKey.Address, Address.Zero, 3600, nonce);
        await w.Store.SaveChannelAsync(new PayerChannelRecord(w.Key with { ChannelId = p.Id }, p, deposit, 0, null, status));
        return p;
    }
}
