using Nethereum.ABI;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Rpc;

namespace Settlement.Testing.Abi;

/// <summary>ABI helpers for tests, over Nethereum's encoder (constructor arguments, hand-built EIP-712 words).</summary>
public static class TestAbi
{
    /// <summary><c>abi.encode(values)</c> with the given Solidity types.</summary>
    public static byte[] Encode(IReadOnlyList<string> types, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Length)
        {
            throw new ArgumentException($"{types.Count} types but {values.Length} values.", nameof(values));
        }

        return new ABIEncode().GetABIEncoded(types.Select((t, i) => new ABIValue(t, ToNethereum(values[i]))).ToArray());
    }

    /// <summary>The function <paramref name="name"/> of <paramref name="abi"/> (no overloads).</summary>
    public static TestFunction Function(this ContractABI abi, string name)
    {
        ArgumentNullException.ThrowIfNull(abi);
        return new TestFunction(abi.Functions.Single(f => f.Name == name));
    }

    /// <summary>The topic 0 of the event <paramref name="name"/> of <paramref name="abi"/>.</summary>
    public static byte[] EventTopic0(this ContractABI abi, string name)
    {
        ArgumentNullException.ThrowIfNull(abi);
        return abi.Events.Single(e => e.Name == name).Sha3Signature.HexToByteArray();
    }

    /// <summary>Decodes <paramref name="log"/> as the event <paramref name="name"/>: each field by name.</summary>
    public static IReadOnlyDictionary<string, object?> DecodeEvent(this ContractABI abi, string name, LogEntry log)
    {
        ArgumentNullException.ThrowIfNull(abi);
        ArgumentNullException.ThrowIfNull(log);
        var eventAbi = abi.Events.Single(e => e.Name == name);
        var filterLog = new FilterLog
        {
            Address = log.Address.ToLowerHex(),
            Topics = log.Topics.Select(t => (object)t.ToHex(prefix: true)).ToArray(),
            Data = log.Data.ToHex(prefix: true),
        };
        var decoded = eventAbi.DecodeEventDefaultTopics(filterLog)
            ?? throw new InvalidOperationException($"The log is not a {name} event.");
        return decoded.Event.ToDictionary(o => o.Parameter.Name, o => FromNethereum(o.Parameter.Type, o.Result), StringComparer.Ordinal);
    }

    /// <summary>The custom errors of <paramref name="abi"/>, for <c>RevertReason.TryDecode</c>.</summary>
    public static IReadOnlyList<ErrorABI> ErrorList(this ContractABI abi)
    {
        ArgumentNullException.ThrowIfNull(abi);
        return abi.Errors ?? [];
    }

    /// <summary>Parses a contract ABI JSON document.</summary>
    public static ContractABI FromJson(string abiJson) => new ABIJsonDeserialiser().DeserialiseContract(abiJson);

    /// <summary>A value as Nethereum's encoder takes it (our addresses as hex strings, nested arrays recursively).</summary>
    public static object? ToNethereum(object? value) => value switch
    {
        Address a => a.ToString(),
        object?[] items => items.Select(ToNethereum).ToList(),
        _ => value,
    };

    /// <summary>A decoded value with <c>address</c> results turned into our <see cref="Address"/>.</summary>
    public static object? FromNethereum(string type, object? value) =>
        type == "address" && value is string text ? Address.Parse(text) : value;
}
