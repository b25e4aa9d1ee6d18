using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Nethereum.RLP;
using Nethereum.Signer;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Transactions;
using NethereumRlp = Nethereum.RLP.RLP;

namespace Settlement.Ethereum.Tests.Transactions;

public sealed class SignedTransactionTests
{
    // secp256k1 group order n (SEC 2, section 2.4.1).
    private static readonly BigInteger N = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", System.Globalization.CultureInfo.InvariantCulture);

    // Anvil/Hardhat development account 0 (public test key).
    private const string DevKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private static Eip1559Transaction Sample(ulong chainId = 31337) => new()
    {
        ChainId = chainId,
        Nonce = 7,
        MaxPriorityFeePerGas = 1_000_000_000,
        MaxFeePerGas = 30_000_000_000,
        GasLimit = 21_000,
        To = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        Value = BigInteger.Pow(10, 18),
    };

    private static byte[] SignedRaw(Transaction tx)
    {
        using var key = PrivateKey.ParseHex(DevKey);
        return tx.Sign(key).ToArray();
    }

    // The RLP encoding of a byte string / of an integer (Nethereum.RLP).
    private static byte[] Str(string hex) => NethereumRlp.EncodeElement(Hex.Decode(hex));

    private static byte[] Int(BigInteger value) => NethereumRlp.EncodeElement(value.ToBytesForRLPEncoding());

    private static RLPCollection Fields(byte[] raw) => (RLPCollection)NethereumRlp.Decode(raw[0] == 0x02 ? raw[1..] : raw);

    // Rebuilds a signed type 2 / legacy encoding with one field replaced by an encoded item.
    private static byte[] Mutate(byte[] raw, int field, byte[] replacement)
    {
        var items = Fields(raw).Select(e => e is RLPCollection list ? list.RLPData : NethereumRlp.EncodeElement(e.RLPData)).ToArray();
        items[field] = replacement;
        var body = NethereumRlp.EncodeList(items);
        return raw[0] == 0x02 ? [0x02, .. body] : body;
    }

    [Fact]
    public void Sign_SameTransactionTwice_GivesIdenticalBytes()
    {
        var tx = Sample();
        SignedRaw(tx).ShouldBe(SignedRaw(tx));
    }

    [Fact]
    public void Sign_DevKey_SenderIsDevAccountAndDecodeRoundTrips()
    {
        var raw = SignedRaw(Sample());
        var decoded = SignedTransaction.Decode(raw, 31337);
        decoded.Sender.ShouldBe(Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        decoded.Transaction.ShouldBeOfType<Eip1559Transaction>().MaxFeePerGas.ShouldBe(30_000_000_000);
        decoded.ToArray().ShouldBe(raw);
    }

    [Fact]
    public void TryDecode_SignedForOtherChain_RejectedWithBothChainIds()
    {
        var raw = SignedRaw(Sample(chainId: 1));
        SignedTransaction.TryDecode(raw, 31337, out var tx, out var error).ShouldBeFalse();
        tx.ShouldBeNull();
        error.ShouldContain("chain id 1");
        error.ShouldContain("31337");
        SignedTransaction.TryDecode(raw, 1, out _, out _).ShouldBeTrue();
    }

    [Fact]
    public void TryDecode_PreEip155WhenChainExpected_Rejected()
    {
        var legacy = new LegacyTransaction { ChainId = null, Nonce = 0, GasPrice = 1, GasLimit = 21000, To = Address.Zero };
        var raw = SignedRaw(legacy);
        SignedTransaction.TryDecode(raw, null, out var any, out _).ShouldBeTrue();
        any.V.ShouldBeInRange(27, 28);
        SignedTransaction.TryDecode(raw, 31337, out _, out var error).ShouldBeFalse();
        error.ShouldContain("pre-EIP-155");
    }

    [Fact]
    public void TryDecode_Eip155Legacy_ChainIdFromV()
    {
        var legacy = new LegacyTransaction { ChainId = 31337, Nonce = 3, GasPrice = 2, GasLimit = 21000, To = Address.Zero };
        var decoded = SignedTransaction.Decode(SignedRaw(legacy), 31337);
        decoded.Transaction.TransactionChainId.ShouldBe(31337UL);
        (decoded.V == (31337 * 2) + 35 || decoded.V == (31337 * 2) + 36).ShouldBeTrue();
    }

    [Fact]
    public void TryDecode_HighS_RejectedAsEip2()
    {
        var raw = SignedRaw(Sample());
        var items = Fields(raw);
        var s = items[11].RLPData.ToBigIntegerFromRLPDecoded();
        var parity = items[9].RLPData.ToBigIntegerFromRLPDecoded();
        var highS = Mutate(Mutate(raw, 11, Int(N - s)), 9, Int(1 - parity));
        SignedTransaction.TryDecode(highS, null, out _, out var error).ShouldBeFalse();
        error.ShouldContain("EIP-2");
    }

    [Theory]
    [InlineData(9, "0x02", "yParity")]
    [InlineData(1, "0x0007", "nonce")]
    [InlineData(2, "0x00", "maxPriorityFeePerGas")]
    [InlineData(5, "0x01020304050607080910111213141516171819", "to")]
    [InlineData(10, "0x", "signature")]
    [InlineData(4, "0x010000000000000000", "gasLimit")]
    public void TryDecode_BadField_RejectedNamingIt(int field, string bytes, string expected)
    {
        var raw = Mutate(SignedRaw(Sample()), field, Str(bytes));
        SignedTransaction.TryDecode(raw, null, out var tx, out var error).ShouldBeFalse();
        tx.ShouldBeNull();
        error.ShouldContain(expected);
    }

    [Fact]
    public void TryDecode_TipAboveFeeCap_Rejected()
    {
        var raw = Mutate(SignedRaw(Sample()), 2, Int(BigInteger.Pow(10, 12)));
        SignedTransaction.TryDecode(raw, null, out _, out var error).ShouldBeFalse();
        error.ShouldContain("exceeds");
    }

    [Fact]
    public void TryDecode_AlteredValue_RecoversDifferentSender()
    {
        var raw = SignedRaw(Sample());
        var altered = Mutate(raw, 6, Int(5));
        if (SignedTransaction.TryDecode(altered, out var tx))
        {
            tx.Sender.ShouldNotBe(SignedTransaction.Decode(raw).Sender);
        }
    }

    [Theory]
    [InlineData("0x01c0", "type 0x01")]
    [InlineData("0x03c0", "type 0x03")]
    [InlineData("0x80", "not a transaction")]
    [InlineData("0x", "empty")]
    [InlineData("0x02c0", "12 fields")]
    [InlineData("0xc0", "9 fields")]
    public void TryDecode_NotATransaction_Rejected(string hex, string expected)
    {
        SignedTransaction.TryDecode(Hex.Decode(hex), null, out _, out var error).ShouldBeFalse();
        error.ShouldContain(expected);
    }

    [Fact]
    public void TryDecode_200kBOfNestedLists_RejectedBeforeNethereumDecodes()
    {
        // Nethereum.RLP recurses and copies per level: this input aborts a process that decodes it.
        byte[] nested = [0xc0];
        for (var i = 0; i < 50_000; i++)
        {
            var length = nested.Length;
            nested = [0xfa, (byte)(length >> 16), (byte)(length >> 8), (byte)length, .. nested];
        }

        SignedTransaction.TryDecode([0x02, .. nested], null, out var tx, out var error).ShouldBeFalse();
        tx.ShouldBeNull();
        error.ShouldContain("nested deeper");
        SignedTransaction.TryDecode(nested, null, out _, out error).ShouldBeFalse();
        error.ShouldContain("nested deeper");
    }

    [Theory]
    [InlineData(1, "0x8107", "single byte below 0x80")]
    [InlineData(7, "0xb80101", "shorter than 56")]
    public void TryDecode_NonCanonicalFieldHeader_Rejected(int field, string encodedField, string expected)
    {
        // Nethereum's decoder reads both as the canonical value; the framing check refuses them.
        var raw = Mutate(SignedRaw(Sample()), field, Hex.Decode(encodedField));
        SignedTransaction.TryDecode(raw, null, out var tx, out var error).ShouldBeFalse();
        tx.ShouldBeNull();
        error.ShouldContain(expected);
    }

    [Fact]
    public void TryDecode_TrailingByte_Rejected()
    {
        byte[] raw = [.. SignedRaw(Sample()), 0x00];
        SignedTransaction.TryDecode(raw, null, out _, out var error).ShouldBeFalse();
        error.ShouldContain("trailing");
        Should.Throw<FormatException>(() => SignedTransaction.Decode(raw));
    }

    [Fact]
    public void Sign_DisposedKey_ThrowsObjectDisposed()
    {
        var key = PrivateKey.ParseHex(DevKey);
        key.Dispose();
        Should.Throw<ObjectDisposedException>(() => Sample().Sign(key));
    }

    [Fact]
    public void Sign_TipAboveFeeCap_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => SignedRaw(Sample() with { MaxPriorityFeePerGas = 31_000_000_000 }));

    [Fact]
    public void Sign_NonceMaxValue_ThrowsEip2681() =>
        Should.Throw<ArgumentOutOfRangeException>(() => SignedRaw(Sample() with { Nonce = ulong.MaxValue }));

    [Fact]
    public void Sign_ValueAbove256Bits_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => SignedRaw(Sample() with { Value = BigInteger.One << 256 }));

    [Fact]
    public void TryDecode_100000RandomOrMutatedInputs_NeverThrows()
    {
        var random = new Random(7);
        var seeds = new List<byte[]>
        {
            SignedRaw(Sample()),
            SignedRaw(new LegacyTransaction { ChainId = 1, Nonce = 1, GasPrice = 1, GasLimit = 1, To = Address.Zero, Data = [1, 2, 3] }),
            SignedRaw(new LegacyTransaction { ChainId = null, Nonce = 1, GasPrice = 1, GasLimit = 1 }),
            SignedRaw(Sample() with { AccessList = [new AccessListEntry(Address.Zero, [new byte[32]])] }),
        };
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.Next(0, 200)];
                random.NextBytes(input);
                if (input.Length > 0 && random.Next(2) == 0)
                {
                    input[0] = (byte)(random.Next(2) == 0 ? 0x02 : 0xf8);
                }
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Count)].Clone();
                for (var m = random.Next(1, 3); m > 0; m--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            if (SignedTransaction.TryDecode(input, null, out var tx, out var error))
            {
                // Whatever is accepted re-encodes to the same bytes under its recovered sender.
                tx.ToArray().ShouldBe(input);
                accepted++;
            }
            else
            {
                error.ShouldNotBeNullOrEmpty();
            }
        }

        accepted.ShouldBeGreaterThan(0);
    }

    private static readonly EthECKey NethereumKey = new(DevKey);

    private static BigInteger Unsigned(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    [Fact]
    public void SignDecode_RandomTransactions_RoundTripSenderAndBytes()
    {
        using var key = PrivateKey.ParseHex(DevKey);
        var bytes = ArbMap.Default.GeneratorFor<byte[]>();
        var big = bytes.Select(b => new BigInteger(b.Take(32).ToArray(), isUnsigned: true, isBigEndian: true));
        var u64 = ArbMap.Default.GeneratorFor<ulong>().Select(n => n == ulong.MaxValue ? 0 : n);
        var gen =
            from type in Gen.Elements(0, 2)
            from chain in Gen.Choose(1, int.MaxValue)
            from nonce in u64
            from gas in u64
            from fee in big
            from tipShare in Gen.Choose(0, 100)
            from value in big
            from data in bytes
            from create in ArbMap.Default.GeneratorFor<bool>()
            select type == 2
                ? (Transaction)new Eip1559Transaction
                {
                    ChainId = (ulong)chain, Nonce = nonce, GasLimit = gas, MaxFeePerGas = fee, MaxPriorityFeePerGas = fee * tipShare / 100,
                    To = create ? null : Address.FromBytes(Enumerable.Repeat((byte)chain, 20).ToArray()), Value = value, Data = data,
                }
                : new LegacyTransaction
                {
                    ChainId = (ulong)chain, Nonce = nonce, GasLimit = gas, GasPrice = fee,
                    To = create ? null : Address.FromBytes(Enumerable.Repeat((byte)chain, 20).ToArray()), Value = value, Data = data,
                };
        Prop.ForAll(gen.ToArbitrary(), tx =>
        {
            var signed = tx.Sign(key);

            // Nethereum's own signer (EthECKey: BouncyCastle, RFC 6979), an independent implementation, makes the
            // very signature and v our libsecp256k1 path put into the transaction.
            var hash = tx.GetSigningHash();
            var theirs = tx is LegacyTransaction { ChainId: { } legacyChain }
                ? NethereumKey.SignAndCalculateV(hash, legacyChain)
                : NethereumKey.SignAndCalculateYParityV(hash);
            return Unsigned(theirs.R) == Unsigned(signed.Signature.R)
                && Unsigned(theirs.S) == Unsigned(signed.Signature.S)
                && Unsigned(theirs.V) == signed.V
                && SignedTransaction.TryDecode(signed.Raw, tx.TransactionChainId, out var back, out _)
                && back.Sender == key.Address
                && back.Hash.SequenceEqual(signed.Hash)
                && back.Transaction.EncodeForSigning().AsSpan().SequenceEqual(tx.EncodeForSigning());
        }).QuickCheckThrowOnFailure();
    }
}
