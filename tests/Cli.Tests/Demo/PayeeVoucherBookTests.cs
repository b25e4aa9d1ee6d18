using System.Numerics;
using Settlement.Channels.Vouchers;
using Settlement.Cli.Demo;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;

namespace Settlement.Cli.Tests.Demo;

public sealed class PayeeVoucherBookTests : IDisposable
{
    private static readonly Address Contract = Address.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    private static readonly BigInteger Deposit = 1_000;
    private readonly PrivateKey _payer = PrivateKey.Generate();
    private readonly PrivateKey _stranger = PrivateKey.Generate();
    private readonly ChannelDomain _domain = new(31337, Contract);
    private readonly ChannelId _channel = ChannelId.FromBytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void TryAccept_IncreasingVouchersFromThePayer_KeepsTheNewest()
    {
        var book = Book();
        book.TryAccept(_channel, 10, Sign(_payer, 10)).ShouldBeNull();
        book.TryAccept(_channel, 25, Sign(_payer, 25)).ShouldBeNull();
        book.Accepted.ShouldBe(2);
        book.Newest!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(25));
    }

    [Fact]
    public void TryAccept_NotAboveTheLast_IsRefused()
    {
        var book = Book();
        book.TryAccept(_channel, 10, Sign(_payer, 10)).ShouldBeNull();
        book.TryAccept(_channel, 10, Sign(_payer, 10)).ShouldNotBeNull();
        book.TryAccept(_channel, 9, Sign(_payer, 9)).ShouldNotBeNull();
        book.Newest!.Voucher.CumulativeAmount.ShouldBe(new BigInteger(10));
    }

    [Fact]
    public void TryAccept_AboveTheDeposit_IsRefused()
    {
        var book = Book();
        book.TryAccept(_channel, Deposit, Sign(_payer, Deposit)).ShouldBeNull();
        Book().TryAccept(_channel, Deposit + 1, Sign(_payer, Deposit + 1)).ShouldNotBeNull();
    }

    [Fact]
    public void TryAccept_WrongSigner_IsRefused() =>
        Book().TryAccept(_channel, 10, Sign(_stranger, 10)).ShouldBe("not signed by the payer");

    [Fact]
    public void TryAccept_AmountOtherThanSigned_IsRefused() =>
        Book().TryAccept(_channel, 11, Sign(_payer, 10)).ShouldBe("not signed by the payer");

    [Fact]
    public void TryAccept_OtherChainOrContract_IsRefused()
    {
        var otherChain = new Voucher(_channel, 10).Sign(_payer, new ChannelDomain(1, Contract)).ToRsv();
        var otherContract = new Voucher(_channel, 10).Sign(_payer, new ChannelDomain(31337, Address.Zero)).ToRsv();
        Book().TryAccept(_channel, 10, otherChain).ShouldNotBeNull();
        Book().TryAccept(_channel, 10, otherContract).ShouldNotBeNull();
    }

    [Fact]
    public void TryAccept_OtherChannel_IsRefused()
    {
        var other = ChannelId.FromBytes(new byte[32]);
        Book().TryAccept(other, 10, new Voucher(other, 10).Sign(_payer, _domain).ToRsv()).ShouldBe("voucher for another channel");
    }

    [Fact]
    public void TryAccept_MalformedSignature_IsRefused()
    {
        Book().TryAccept(_channel, 10, new byte[65]).ShouldBe("malformed signature");
        Book().TryAccept(_channel, 10, new byte[3]).ShouldBe("malformed signature");
    }

    public void Dispose()
    {
        _payer.Dispose();
        _stranger.Dispose();
    }

    private PayeeVoucherBook Book() => new(_domain, _channel, _payer.Address, Deposit);

    private byte[] Sign(PrivateKey key, BigInteger amount) => new Voucher(_channel, amount).Sign(key, _domain).ToRsv();
}
