using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Channels.Contracts;

/// <summary>
/// Glue between the generated Nethereum messages (<c>src/Channels/Generated/*.g.cs</c>) and our chain types:
/// call data from a function message, outputs decoded into the generated DTOs, logs decoded into event DTOs
/// only after their shape was checked, so that a malformed log is skipped instead of throwing.
/// </summary>
internal static class ContractMessages
{
    /// <summary>The ABI-encoded call (selector and arguments) of <paramref name="message"/>.</summary>
    public static byte[] CallData<TFunction>(TFunction message)
        where TFunction : FunctionMessage => message.GetCallData();

    /// <summary>Decodes a single return value of <typeparamref name="TFunction"/>.</summary>
    public static TReturn DecodeSingle<TFunction, TReturn>(byte[] output)
        where TFunction : FunctionMessage =>
        new Nethereum.Contracts.FunctionBuilder<TFunction>(null).DecodeTypeOutput<TReturn>(output.ToHex(prefix: true));

    /// <summary>Decodes the outputs of <typeparamref name="TFunction"/> into <typeparamref name="TOutput"/>.</summary>
    public static TOutput DecodeOutputs<TFunction, TOutput>(byte[] output)
        where TFunction : FunctionMessage
        where TOutput : new() =>
        new Nethereum.Contracts.FunctionBuilder<TFunction>(null).DecodeDTOTypeOutput<TOutput>(output.ToHex(prefix: true));

    /// <summary>A Nethereum string address from ours (EIP-55).</summary>
    public static string Hex(Address address) => address.ToString();

    /// <summary>Our address from a Nethereum string the ABI decoder produced (always 20 bytes).</summary>
    public static Address Address(string value) => Settlement.Ethereum.Addresses.Address.Parse(value);

    /// <summary>
    /// A decoder of logs into <typeparamref name="TEvent"/>: it refuses a log (null and the reason) unless it has the
    /// topic count and data length the event's ABI fixes and every word is a strict encoding of its field. The event's
    /// shape is read once here; every event of our contracts has 32-byte elementary fields only, and anything else is a
    /// bug in the bindings. Never throws on a log.
    /// </summary>
    /// <exception cref="InvalidOperationException">The event has a dynamic or multi-word field.</exception>
    public static Func<LogEntry, (TEvent? Event, LogDecodeRefusal Refusal)> EventDecoder<TEvent>(EventABI abi)
        where TEvent : class, new()
    {
        var fields = abi.InputParameters;
        if (fields.Any(p => !p.Indexed && (p.ABIType.IsDynamic() || AbiLayout.HeadSize(p) != 32)))
        {
            throw new InvalidOperationException($"Event {abi.Name} has a field that is not one 32-byte word.");
        }

        var topicCount = 1 + fields.Count(p => p.Indexed);
        var dataLength = 32 * fields.Count(p => !p.Indexed);
        return log =>
        {
            if (log.Topics.Count != topicCount)
            {
                return (null, LogDecodeRefusal.TopicCount);
            }

            if (log.Topics.Any(t => t is not { Length: 32 }))
            {
                return (null, LogDecodeRefusal.TopicLength);
            }

            if (log.Data is not { } data || data.Length != dataLength)
            {
                return (null, LogDecodeRefusal.DataLength);
            }

            var topic = 1;
            var word = 0;
            foreach (var p in fields)
            {
                var ok = p.Indexed
                    ? AbiLayout.IsCanonicalWord(p.ABIType, log.Topics[topic++])
                    : AbiLayout.IsCanonicalWord(p.ABIType, data.AsSpan(word, 32));
                word += p.Indexed ? 0 : 32;
                if (!ok)
                {
                    return (null, LogDecodeRefusal.FieldOutOfRange);
                }
            }

            var filterLog = new FilterLog
            {
                Address = log.Address.ToLowerHex(),
                Topics = log.Topics.Select(t => (object)t.ToHex(prefix: true)).ToArray(),
                Data = data.ToHex(prefix: true),
            };
            return filterLog.DecodeEvent<TEvent>()?.Event is { } decoded ? (decoded, LogDecodeRefusal.None) : (null, LogDecodeRefusal.UnknownEvent);
        };
    }

    /// <summary>The topic-0 hash of an event ABI, lower-case hex without prefix.</summary>
    public static string Topic0(EventABI abi) => abi.Sha3Signature.ToLowerInvariant().RemoveHexPrefix();
}
