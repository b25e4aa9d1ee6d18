using Microsoft.Extensions.Time.Testing;
using Settlement.Service.Flows;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;
using Settlement.Service.Tests.Flows.Support;

namespace Settlement.Service.Tests.Flows;

/// <summary>
/// A merchant's balance read from the indexer's mirror of its wallet: posted credits − posted debits of the wallet
/// account of the configured chain and token ledger, never below zero, and arguments checked before anything is read.
/// </summary>
public sealed class IndexedWalletBalancesTests
{
    private const ulong ChainId = 31337;
    private const string Address = "0x3333333333333333333333333333333333333333";
    private static readonly Account Wallet = ChainAccounts.Wallet(ChainId, LedgerAssets.Tgbp, Address);
    private static readonly Account Issuance = ChainAccounts.Issuance(ChainId, LedgerAssets.Tgbp, "0x4444444444444444444444444444444444444444");

    private readonly InMemorySettlementStore _ledger = new(new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
    private ulong _nextId = 1;

    private static PayoutMerchant Merchant(string? address = Address) => new() { Id = "m1", Address = address };

    private async Task MoveAsync(Account from, Account to, ulong amount)
    {
        (await _ledger.CreateAccountsAsync([Wallet, Issuance])).ShouldAllBe(r => r == CreateAccountResult.Ok || r == CreateAccountResult.Exists);
        (await _ledger.CreateTransfersAsync([new Transfer(_nextId++, from.Id, to.Id, amount, LedgerAssets.Tgbp, (ushort)ChainTransferCode.TokenMinted)]))
            .ShouldBe([CreateTransferResult.Ok]);
    }

    [Fact]
    public async Task GetBalance_CreditsAboveDebits_TheDifferenceOfTheConfiguredChainsWallet()
    {
        await MoveAsync(Issuance, Wallet, 5_000);
        await MoveAsync(Wallet, Issuance, 1_200);

        (await new IndexedWalletBalances(_ledger, ChainId).GetBalanceAsync(Merchant(), default)).ShouldBe((UInt128)3_800);
        (await new IndexedWalletBalances(_ledger, 1).GetBalanceAsync(Merchant(), default)).ShouldBe(UInt128.Zero);
        (await new IndexedWalletBalances(_ledger, ChainId, LedgerAssets.Gbp).GetBalanceAsync(Merchant(), default)).ShouldBe(UInt128.Zero);
    }

    [Fact]
    public async Task GetBalance_DebitsAboveCredits_Zero()
    {
        await MoveAsync(Issuance, Wallet, 500);
        await MoveAsync(Wallet, Issuance, 700);

        (await new IndexedWalletBalances(_ledger, ChainId).GetBalanceAsync(Merchant(), default)).ShouldBe(UInt128.Zero);
    }

    [Fact]
    public async Task GetBalance_CreditsEqualDebits_Zero()
    {
        await MoveAsync(Issuance, Wallet, 500);
        await MoveAsync(Wallet, Issuance, 500);

        (await new IndexedWalletBalances(_ledger, ChainId).GetBalanceAsync(Merchant(), default)).ShouldBe(UInt128.Zero);
    }

    [Fact]
    public void Constructor_NoLedger_ThrowsNamingIt()
    {
        Should.Throw<ArgumentNullException>(() => new IndexedWalletBalances(null!, ChainId)).ParamName.ShouldBe("ledger");
    }

    [Fact]
    public async Task GetBalance_NoMerchantOrNoAddress_ThrowsNamingIt()
    {
        var balances = new IndexedWalletBalances(_ledger, ChainId);

        (await Should.ThrowAsync<ArgumentNullException>(() => balances.GetBalanceAsync(null!, default))).ParamName.ShouldBe("merchant");
        (await Should.ThrowAsync<ArgumentNullException>(() => balances.GetBalanceAsync(Merchant(null), default))).ParamName.ShouldBe("merchant.Address");
        var empty = await Should.ThrowAsync<ArgumentException>(() => balances.GetBalanceAsync(Merchant(""), default));
        empty.GetType().ShouldBe(typeof(ArgumentException));
        empty.ParamName.ShouldBe("merchant.Address");
    }
}
