using FsCheck;
using FsCheck.Fluent;
using Settlement.Ethereum.Abi;

namespace Settlement.Ethereum.Tests.Abi;

public sealed class AbiPropertyTests
{
    private static readonly AbiType[] FuzzTypes =
    [
        .. new[]
        {
            "uint256", "int8", "address", "bool", "bytes4", "bytes", "string", "uint256[]", "bytes[]", "string[2]",
            "(address,bytes)[]", "(uint8,(bool,string[])[],bytes32)", "uint16[][3]", "(string,(bytes,int24)[2])[]",
            "bytes[][]", "()[]",
        }.Select(AbiType.Parse),
    ];

    [Fact]
    public void EncodeDecode_RandomTypesAndValues_RoundTrip()
    {
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new RandomAbi(seed);
            var types = Enumerable.Range(0, 1 + random.Next(4)).Select(_ => random.Type()).ToArray();
            var values = types.Select(random.Value).ToArray();
            var encoded = AbiEncoder.Encode(types, values);
            var ok = AbiDecoder.TryDecode(types, encoded, out var decoded, out var error);
            return ok && AbiTestValues.Canon(decoded) == AbiTestValues.Canon(values) && encoded.Length % 32 == 0;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2_000), property);
    }

    [Fact]
    public void TryDecode_RandomBytes_RejectsCleanlyOrReencodesIdentically()
    {
        var decodedCount = 0;
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new RandomAbi(seed);
            var type = FuzzTypes[random.Next(FuzzTypes.Length)];
            var data = RandomWords(random);
            if (!AbiDecoder.TryDecode([type], data, out var values))
            {
                return true;
            }

            // Whatever the strict decoder accepts must be a value of the type: it encodes again.
            decodedCount++;
            AbiEncoder.Encode([type], values);
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100_000), property);
        decodedCount.ShouldBeGreaterThan(100);
    }

    [Fact]
    public void TryDecode_MutatedValidEncodings_NeverThrows()
    {
        var rejected = 0;
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new RandomAbi(seed);
            var types = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Type()).ToArray();
            var encoded = AbiEncoder.Encode(types, types.Select(random.Value).ToArray());
            var mutated = Mutate(random, encoded);
            if (!AbiDecoder.TryDecode(types, mutated, out var values))
            {
                rejected++;
                return true;
            }

            AbiEncoder.Encode(types, values);
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100_000), property);
        rejected.ShouldBeGreaterThan(1_000);
    }

    [Fact]
    public void RevertReasonAndEvents_RandomBytes_NeverThrow()
    {
        var abi = ContractAbi.FromJson("""[{"type":"error","name":"E","inputs":[{"name":"a","type":"tuple[]","components":[{"name":"x","type":"bytes"},{"name":"y","type":"uint8"}]}]}]""");
        var abiEvent = AbiEvent.Parse("event T(address indexed from, string indexed tag, bytes data, uint256[] values)");
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new RandomAbi(seed);
            var data = RandomWords(random);
            var prefix = random.Next(3) switch
            {
                0 => abi.Errors[0].Selector.ToArray(),
                1 => new byte[] { 0x08, 0xc3, 0x79, 0xa0 },
                _ => new byte[] { 0x4e, 0x48, 0x7b, 0x71 },
            };
            RevertReason.TryDecode([.. prefix, .. data], abi, out _);
            var topics = Enumerable.Range(0, random.Next(4)).Select(_ => random.Bytes(random.Next(3) == 0 ? 31 : 32)).ToList();
            if (random.Next(2) == 0 && topics.Count > 0)
            {
                topics[0] = abiEvent.Topic0.ToArray();
            }

            abiEvent.TryDecodeValues(topics, data, out _);
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), property);
    }

    /// <summary>Random data made of words that are often small numbers, so offsets and lengths hit the data.</summary>
    private static byte[] RandomWords(RandomAbi random)
    {
        var words = random.Next(12);
        var data = new byte[(words * 32) + (random.Next(5) == 0 ? random.Next(32) : 0)];
        for (var w = 0; w < words; w++)
        {
            switch (random.Next(4))
            {
                case 0:
                    data[(w * 32) + 31] = (byte)(random.Next(12) * 32);
                    break;
                case 1:
                    data[(w * 32) + 31] = (byte)random.Next(4);
                    break;
                case 2:
                    random.Bytes(32).CopyTo(data, w * 32);
                    break;
                default:
                    break;
            }
        }

        return data;
    }

    private static byte[] Mutate(RandomAbi random, byte[] encoded)
    {
        var data = encoded.ToArray();
        switch (random.Next(4))
        {
            case 0 when data.Length > 0:
                data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            case 1 when data.Length > 0:
                data[random.Next(data.Length)] = (byte)random.Next(256);
                return data;
            case 2:
                return data[..random.Next(data.Length + 1)];
            default:
                if (data.Length >= 32)
                {
                    var w = random.Next(data.Length / 32);
                    Array.Clear(data, w * 32, 31);
                    data[(w * 32) + 31] = (byte)(random.Next(8) * 32);
                }

                return data;
        }
    }
}
