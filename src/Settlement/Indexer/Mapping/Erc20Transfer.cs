using System.Numerics;
using Settlement.Ethereum.Abi;
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
    public static bool TryDecode(LogEntry log, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Erc20Transfer? transfer) =>
        TryDecode(log, out transfer, out _);

    /// <summary>
    /// Decodes a <c>Transfer</c> log, with the reason it was refused (<see cref="LogDecodeRefusal.None"/> when decoded):
    /// another event, three topics and one data word expected, addresses with zero high bytes. Never throws.
    /// </summary>
    public static bool TryDecode(LogEntry log, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Erc20Transfer? transfer, out LogDecodeRefusal refusal)
    {
        transfer = null;
        refusal = Check(log);
        if (refusal != LogDecodeRefusal.None)
        {
            return false;
        }

        transfer = new Erc20Transfer(
            Address.FromBytes(log.Topics[1].AsSpan(12)), Address.FromBytes(log.Topics[2].AsSpan(12)), new BigInteger(log.Data, isUnsigned: true, isBigEndian: true));
        return true;
    }

    private static LogDecodeRefusal Check([System.Diagnostics.CodeAnalysis.NotNull] LogEntry? log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var topics = log.Topics ?? [];
        if (topics.Count == 0)
        {
            return LogDecodeRefusal.NoTopic;
        }

        if (topics[0] is not { Length: 32 } signature)
        {
            return LogDecodeRefusal.TopicLength;
        }

        if (!signature.AsSpan().SequenceEqual(Topic0))
        {
            return LogDecodeRefusal.UnknownEvent;
        }

        if (topics.Count != 3)
        {
            return LogDecodeRefusal.TopicCount;
        }

        if (topics[1] is not { Length: 32 } from || topics[2] is not { Length: 32 } to)
        {
            return LogDecodeRefusal.TopicLength;
        }

        if (log.Data is not { Length: 32 })
        {
            return LogDecodeRefusal.DataLength;
        }

        return IsAddressWord(from) && IsAddressWord(to) ? LogDecodeRefusal.None : LogDecodeRefusal.FieldOutOfRange;
    }

    private static bool IsAddressWord(byte[] word) => !word.AsSpan(0, 12).ContainsAnyExcept((byte)0);
}
