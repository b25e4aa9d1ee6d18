using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// Decoded revert data (Solidity documentation, "Error handling: Assert, Require, Revert and Exceptions"):
/// <c>Error(string)</c>, <c>Panic(uint256)</c> with the known panic codes, or a custom error from an ABI.
/// </summary>
public sealed class RevertReason
{
    private static readonly AbiError ErrorString = AbiError.Parse("error Error(string message)");
    private static readonly AbiError PanicError = AbiError.Parse("error Panic(uint256 code)");

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

    /// <summary>Decodes revert data; never throws. Custom errors need the contract's ABI.</summary>
    /// <param name="data">The revert data (selector and arguments).</param>
    /// <param name="abi">The contract ABI for custom errors, or null.</param>
    /// <param name="reason">The decoded reason.</param>
    public static bool TryDecode(ReadOnlySpan<byte> data, ContractAbi? abi, [NotNullWhen(true)] out RevertReason? reason)
    {
        reason = null;
        if (ErrorString.TryDecode(data, out var args))
        {
            reason = new RevertReason(RevertReasonKind.Error, "Error", args, (string)args[0]!, null);
            return true;
        }

        if (PanicError.TryDecode(data, out args))
        {
            var code = (BigInteger)args[0]!;
            reason = new RevertReason(RevertReasonKind.Panic, "Panic", args, DescribePanic(code), code);
            return true;
        }

        if (abi is not null && abi.TryFindError(data, out var error) && error.TryDecode(data, out args))
        {
            reason = new RevertReason(RevertReasonKind.Custom, error.Name, args, null, null);
            return true;
        }

        return false;
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
        byte[] bytes => Encoding.Hex.Encode(bytes),
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        object?[] items => "[" + string.Join(", ", items.Select(FormatArgument)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
