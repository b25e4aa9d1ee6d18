using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using Nethereum.ABI;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;
using Settlement.Ethereum.Addresses;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// Decoded revert data (Solidity documentation, "Error handling: Assert, Require, Revert and Exceptions"):
/// <c>Error(string)</c>, <c>Panic(uint256)</c> with the known panic codes, or a custom error from an ABI.
/// Selectors and argument decoding are Nethereum's (<see cref="ErrorABI"/>); the data's layout is checked here
/// first, so that revert bytes from a node or a hostile contract never make the decoder throw.
/// </summary>
public sealed class RevertReason
{
    private static readonly ErrorABI ErrorString = Error("Error", new Parameter("string", "message", 1));
    private static readonly ErrorABI PanicError = Error("Panic", new Parameter("uint256", "code", 1));

    private RevertReason(RevertReasonKind kind, string name, IReadOnlyList<object?> arguments, string? message, BigInteger? panicCode)
    {
        Kind = kind;
        Name = name;
        Arguments = arguments;
        Message = message;
        PanicCode = panicCode;
    }

    /// <summary>Error, Panic or a custom error.</summary>
    public RevertReasonKind Kind { get; }

    /// <summary>The error name: <c>Error</c>, <c>Panic</c> or the custom error's name.</summary>
    public string Name { get; }

    /// <summary>The decoded arguments.</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The message of <c>Error(string)</c>, or the panic code's description; null for custom errors.</summary>
    public string? Message { get; }

    /// <summary>The panic code of <c>Panic(uint256)</c>.</summary>
    public BigInteger? PanicCode { get; }

    /// <summary>Decodes revert data; never throws. Custom errors need the contract's error ABIs.</summary>
    /// <param name="data">The revert data (selector and arguments).</param>
    /// <param name="customErrors">The contract's custom errors (from its ABI or its generated error types), or null.</param>
    /// <param name="reason">The decoded reason.</param>
    public static bool TryDecode(ReadOnlySpan<byte> data, IReadOnlyList<ErrorABI>? customErrors, [NotNullWhen(true)] out RevertReason? reason)
    {
        reason = null;
        if (TryDecodeWith(data, ErrorString, out var args))
        {
            reason = new RevertReason(RevertReasonKind.Error, "Error", args, (string)args[0]!, null);
            return true;
        }

        if (TryDecodeWith(data, PanicError, out args))
        {
            var code = (BigInteger)args[0]!;
            reason = new RevertReason(RevertReasonKind.Panic, "Panic", args, DescribePanic(code), code);
            return true;
        }

        foreach (var error in customErrors ?? [])
        {
            if (TryDecodeWith(data, error, out args))
            {
                reason = new RevertReason(RevertReasonKind.Custom, error.Name, args, null, null);
                return true;
            }
        }

        return false;
    }

    // Deepest nesting of arrays and tuples decoded; deeper data is refused (Nethereum's decoder recurses).
    private const int MaxDepth = 16;

    private static ErrorABI Error(string name, params Parameter[] parameters) => new(name) { InputParameters = parameters };

    private static bool TryDecodeWith(ReadOnlySpan<byte> data, ErrorABI error, [NotNullWhen(true)] out IReadOnlyList<object?>? arguments)
    {
        arguments = null;
        if (data.Length < 4
            || !Convert.ToHexStringLower(data[..4]).Equals(error.Sha3Signature.RemoveHexPrefix(), StringComparison.OrdinalIgnoreCase)
            || !HasLayout(data[4..], error.InputParameters))
        {
            return false;
        }

        var outputs = error.DecodeErrorDataToDefault(data.ToArray().ToHex(prefix: true));
        arguments = outputs
            .OrderBy(o => o.Parameter.Order)
            .Select(o => o.Parameter.Type == "address" && o.Result is string text ? Address.Parse(text) : o.Result)
            .ToArray();
        return true;
    }

    // Checks the head/tail layout of the ABI specification ("Formal Specification of the Encoding") so that
    // Nethereum's decoder only ever sees data it can read: every offset and length inside the data, padding
    // present, array lengths bounded by the bytes left, and a budget on the words visited (offsets may point
    // many elements at one blob).
    private static bool HasLayout(ReadOnlySpan<byte> body, Parameter[] parameters)
    {
        // Four visits per word, plus one chain of nested tuples as deep as allowed (a one-word value may sit
        // inside MaxDepth static tuples).
        var budget = (4 * ((body.Length / 32) + parameters.Length + 1)) + MaxDepth;
        return ValidSequence(body, parameters.Select(p => p.ABIType).ToArray(), 0, 0, ref budget);
    }

    private static bool ValidSequence(ReadOnlySpan<byte> body, IReadOnlyList<ABIType> types, int start, int depth, ref int budget)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        var head = start;
        foreach (var type in types)
        {
            if (--budget < 0)
            {
                return false;
            }

            if (type.IsDynamic())
            {
                if (head > body.Length - 32 || !TryReadSize(body.Slice(head, 32), out var offset) || offset > body.Length - start
                    || !Valid(body, type, start + offset, depth + 1, ref budget))
                {
                    return false;
                }

                head += 32;
            }
            else
            {
                if (!Valid(body, type, head, depth + 1, ref budget))
                {
                    return false;
                }

                head += AbiLayout.HeadSize(type);
            }
        }

        return head <= body.Length;
    }

    private static bool Valid(ReadOnlySpan<byte> body, ABIType type, int position, int depth, ref int budget)
    {
        switch (type)
        {
            case TupleType tuple:
                return ValidSequence(body, tuple.Components.Select(c => c.ABIType).ToArray(), position, depth, ref budget);
            case StaticArrayType array:
                var count = array.FixedSize / array.ElementType.FixedSize;
                return ValidSequence(body, Enumerable.Repeat(array.ElementType, count).ToArray(), position, depth, ref budget);
            case ArrayType array:
                // Each element needs at least one 32-byte word after the length.
                if (position > body.Length - 32 || !TryReadSize(body.Slice(position, 32), out var length) || length > (body.Length - position - 32) / 32)
                {
                    return false;
                }

                budget -= length;
                return budget >= 0 && ValidSequence(body, Enumerable.Repeat(array.ElementType, length).ToArray(), position + 32, depth, ref budget);
            case BytesType or StringType:
                return position <= body.Length - 32
                    && TryReadSize(body.Slice(position, 32), out var size)
                    && ((size + 31L) / 32 * 32) <= body.Length - position - 32;
            default:
                return position <= body.Length - 32 && AbiLayout.IsCanonicalWord(type, body.Slice(position, 32));
        }
    }

    // A 32-byte big-endian word that must hold a size or offset small enough to index the data.
    private static bool TryReadSize(ReadOnlySpan<byte> word, out int value)
    {
        value = 0;
        if (word[..28].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        var v = BinaryPrimitives.ReadUInt32BigEndian(word[28..]);
        if (v > int.MaxValue)
        {
            return false;
        }

        value = (int)v;
        return true;
    }

    /// <summary>The meaning of a Solidity panic code (Solidity ≥ 0.8.0).</summary>
    /// <param name="code">The code.</param>
    public static string DescribePanic(BigInteger code) => (int)BigInteger.Min(code, int.MaxValue) switch
    {
        0x00 => "generic compiler panic",
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "conversion to an enum out of range",
        0x22 => "incorrectly encoded storage byte array",
        0x31 => "pop() on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory (allocation too large)",
        0x51 => "call to a zero-initialised internal function",
        _ => "unknown panic code",
    };

    /// <summary><c>Error("message")</c>, <c>Panic(0x11: arithmetic overflow or underflow)</c> or <c>Name(arg, …)</c>.</summary>
    public override string ToString() => Kind switch
    {
        RevertReasonKind.Error => $"Error(\"{Message}\")",
        RevertReasonKind.Panic => $"Panic(0x{PanicCode!.Value.ToString("x2", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(2, '0')}: {Message})",
        _ => $"{Name}({string.Join(", ", Arguments.Select(FormatArgument))})",
    };

    private static string FormatArgument(object? value) => value switch
    {
        null => "null",
        byte[] bytes => bytes.ToHex(prefix: true),
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>().Select(FormatArgument)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
