using System.Globalization;
using System.Numerics;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Tests.Abi;

/// <summary>Random ABI types and values from a seed (driven by FsCheck-generated seeds).</summary>
internal sealed class RandomAbi(int seed)
{
    private readonly Random _random = new(seed);

    public AbiType Type(int depth = 0)
    {
        var r = _random.Next(depth > 2 ? 7 : 10);
        return r switch
        {
            0 => AbiType.UInt(8 * (1 + _random.Next(32))),
            1 => AbiType.Int(8 * (1 + _random.Next(32))),
            2 => AbiType.Address,
            3 => AbiType.Bool,
            4 => AbiType.FixedBytes(1 + _random.Next(32)),
            5 => AbiType.Bytes,
            6 => AbiType.String,
            7 => AbiType.ArrayOf(Type(depth + 1)),
            8 => AbiType.FixedArrayOf(Type(depth + 1), 1 + _random.Next(3)),
            _ => AbiType.Tuple(Enumerable.Range(0, 1 + _random.Next(4)).Select(i => new AbiParameter("c" + i.ToString(CultureInfo.InvariantCulture), Type(depth + 1))).ToArray()),
        };
    }

    public object? Value(AbiType type)
    {
        switch (type.Kind)
        {
            case AbiTypeKind.UInt:
            {
                var max = (BigInteger.One << type.Size) - 1;
                return _random.Next(4) switch { 0 => BigInteger.Zero, 1 => max, _ => RandomBits(type.Size) };
            }

            case AbiTypeKind.Int:
            {
                var limit = BigInteger.One << (type.Size - 1);
                return _random.Next(4) switch { 0 => -limit, 1 => limit - 1, _ => RandomBits(type.Size) - limit };
            }

            case AbiTypeKind.Address: return Address.FromBytes(Bytes(20));
            case AbiTypeKind.Bool: return _random.Next(2) == 1;
            case AbiTypeKind.FixedBytes: return Bytes(type.Size);
            case AbiTypeKind.Bytes: return Bytes(_random.Next(80));
            case AbiTypeKind.String: return new string(Enumerable.Range(0, _random.Next(40)).Select(_ => (char)(_random.Next(3) == 0 ? 0x400 + _random.Next(200) : 32 + _random.Next(95))).ToArray());
            case AbiTypeKind.Array: return Enumerable.Range(0, _random.Next(4)).Select(_ => Value(type.ElementType!)).ToArray();
            case AbiTypeKind.FixedArray: return Enumerable.Range(0, type.Size).Select(_ => Value(type.ElementType!)).ToArray();
            default: return type.Components.Select(c => Value(c.Type)).ToArray();
        }
    }

    public byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    public int Next(int max) => _random.Next(max);

    private BigInteger RandomBits(int bits) => new(Bytes(bits / 8), isUnsigned: true, isBigEndian: true);
}
