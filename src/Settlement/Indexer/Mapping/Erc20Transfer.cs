using System.Numerics;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Rpc;

namespace Settlement.Service.Indexer.Mapping;

/// <summary>An ERC-20 <c>Transfer(address indexed from, address indexed to, uint256 value)</c> log (EIP-20).</summary>
public sealed record Erc20Transfer(Address From, Address To, BigInteger Value)
{
    /// <summary>Topic 0: Keccak-256 of <c>Transfer(address,address,uint256)</c>.</summary>
    public static readonly byte[] Topic0 = Keccak256.Hash("Transfer(address,address,uint256)"u8);

    /// <summary>Decodes a <c>Transfer</c> log; false for any other log or a malformed one. Never throws.</summary>
    public static bool TryDecode(LogEntry log, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Erc20Transfer? transfer)
    {
        transfer = null;
        if (log is null
            || log.Topics.Count != 3
            || !log.Topics[0].AsSpan().SequenceEqual(Topic0)
            || log.Topics[1] is not { Length: 32 } from
            || log.Topics[2] is not { Length: 32 } to
            || log.Data is not { Length: 32 } data
            || !IsAddressWord(from)
            || !IsAddressWord(to))
        {
            return false;
        }

        transfer = new Erc20Transfer(Address.FromBytes(from.AsSpan(12)), Address.FromBytes(to.AsSpan(12)), new BigInteger(data, isUnsigned: true, isBigEndian: true));
        return true;
    }

    private static bool IsAddressWord(byte[] word) => !word.AsSpan(0, 12).ContainsAnyExcept((byte)0);
}
