using System.Globalization;
using Settlement.Service.Indexer.Mapping;
using Settlement.Service.Ledger;

namespace Settlement.Service.Tests.Indexer;

/// <summary>
/// The indexer's account ids are pinned to values computed with Python's hashlib from the layout
/// <see cref="ChainAccounts"/> documents, not by the code under test: SHA-256 over <c>"l2pay/indexer/account/v1" ‖
/// u64be(chainId) ‖ u32be(ledger) ‖ u16be(code) ‖ i32be(len) ‖ ascii(lower(key))</c>, first 16 bytes big-endian, where the
/// key is the address, <c>contract/channelId</c>, <c>contract/owner</c> or the token. Anyone must be able to compute an
/// address's or channel's account, and an upgrade must not move balances to new accounts.
/// </summary>
public sealed class ChainAccountIdVectorTests
{
    private const string Alice = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    private const string Contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    private const string Token = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
    private static readonly string Channel = "0x" + string.Concat(Enumerable.Repeat("42", 32));

    private static UInt128 Hex(string value) => UInt128.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Fact]
    public void Wallet_MatchesTheDocumentedLayout()
    {
        var wallet = ChainAccounts.Wallet(31337, LedgerAssets.Tgbp, Alice);

        wallet.Id.ShouldBe(Hex("459e0ca292b93a310311954e6c44ce21"));
        wallet.Ledger.ShouldBe(LedgerAssets.Tgbp);
        wallet.Code.ShouldBe((ushort)AccountCode.OnChainWallet);
        ChainAccounts.Wallet(1, LedgerAssets.Tgbp, Alice).Id.ShouldBe(Hex("94d7f1a7e31238522b1d7162e0adb7aa"));
        ChainAccounts.Wallet(31337, 3, Alice).Id.ShouldBe(Hex("de4b5afe700529e053f7c76e5253bc2f"));
        ChainAccounts.Wallet(31337, LedgerAssets.Tgbp, Alice.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)).Id
            .ShouldBe(Hex("459e0ca292b93a310311954e6c44ce21"));
    }

    [Fact]
    public void EscrowOwedIssuance_MatchTheDocumentedLayout()
    {
        var escrow = ChainAccounts.Escrow(31337, LedgerAssets.Tgbp, Contract, Channel);
        var owed = ChainAccounts.Owed(31337, LedgerAssets.Tgbp, Contract, Alice);
        var issuance = ChainAccounts.Issuance(31337, LedgerAssets.Tgbp, Token);

        (escrow.Id, escrow.Code).ShouldBe((Hex("05d2050b05ae6e8e6b24b813dccaf468"), (ushort)AccountCode.ChannelEscrow));
        (owed.Id, owed.Code).ShouldBe((Hex("46f86f3080b88f9ed8f8de88db3e80ba"), (ushort)AccountCode.DeferredPayout));
        (issuance.Id, issuance.Code).ShouldBe((Hex("9ce583fd958cb9203bb328096662b27a"), (ushort)AccountCode.TokenIssuance));
    }
}
