using System.Diagnostics.CodeAnalysis;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Abi;

/// <summary>A contract function: selector, call encoding and output decoding.</summary>
public sealed class AbiFunction
{
    private readonly byte[] _selector;
    private readonly AbiType[] _inputTypes;
    private readonly AbiType[] _outputTypes;

    internal AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, string stateMutability)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        StateMutability = stateMutability;
        _inputTypes = inputs.Select(p => p.Type).ToArray();
        _outputTypes = outputs.Select(p => p.Type).ToArray();
        Signature = AbiSignatures.Canonical(name, inputs);
        _selector = Keccak256.HashUtf8(Signature)[..4];
    }

    /// <summary>The function name.</summary>
    public string Name { get; }

    /// <summary>The input parameters.</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>The output parameters.</summary>
    public IReadOnlyList<AbiParameter> Outputs { get; }

    /// <summary><c>pure</c>, <c>view</c>, <c>nonpayable</c> or <c>payable</c>.</summary>
    public string StateMutability { get; }

    /// <summary>The canonical signature, e.g. <c>transfer(address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector: the first bytes of keccak256(signature).</summary>
    public ReadOnlySpan<byte> Selector => _selector;

    /// <summary>The selector as 0x-hex.</summary>
    public string SelectorHex => Hex.Encode(_selector);

    /// <summary>Parses <c>function transfer(address to, uint256 amount) returns (bool)</c> (the keyword is optional).</summary>
    /// <param name="signature">Human-readable signature.</param>
    /// <exception cref="FormatException">Not a valid function signature.</exception>
    public static AbiFunction Parse(string signature)
    {
        var fragment = AbiSignatureParser.ParseFragment(signature);
        if (fragment.Kind != "function")
        {
            throw new FormatException($"Expected a function, got {fragment.Kind}: \"{signature}\".");
        }

        return new AbiFunction(fragment.Name, fragment.Inputs, fragment.Outputs, fragment.StateMutability);
    }

    /// <summary>Selector followed by the encoded arguments.</summary>
    /// <param name="args">One value per input.</param>
    /// <exception cref="ArgumentException">A value does not fit its type.</exception>
    public byte[] EncodeCall(params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return AbiEncoder.EncodeWithPrefix(_selector, _inputTypes, args);
    }

    /// <summary>Encodes return values (what the contract would return).</summary>
    /// <param name="values">One value per output.</param>
    public byte[] EncodeOutput(params object?[] values) => AbiEncoder.Encode(_outputTypes, values);

    /// <summary>Decodes return data.</summary>
    /// <param name="data">The return data.</param>
    /// <exception cref="FormatException">The data is not a valid encoding of the outputs.</exception>
    public object?[] DecodeOutput(ReadOnlySpan<byte> data) => AbiDecoder.Decode(_outputTypes, data);

    /// <summary>Decodes return data; never throws on bad data.</summary>
    /// <param name="data">The return data.</param>
    /// <param name="values">The values on success.</param>
    public bool TryDecodeOutput(ReadOnlySpan<byte> data, [NotNullWhen(true)] out object?[]? values) =>
        AbiDecoder.TryDecode(_outputTypes, data, out values);

    /// <summary>Decodes call data (selector and arguments).</summary>
    /// <param name="callData">The call data.</param>
    /// <exception cref="FormatException">Wrong selector or invalid encoding.</exception>
    public object?[] DecodeInput(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 4 || !callData[..4].SequenceEqual(_selector))
        {
            throw new FormatException($"Call data does not start with the selector of {Signature}.");
        }

        return AbiDecoder.Decode(_inputTypes, callData[4..]);
    }

    /// <summary>The human-readable form.</summary>
    public override string ToString() =>
        $"function {Name}({string.Join(", ", Inputs)})" + (Outputs.Count > 0 ? $" returns ({string.Join(", ", Outputs)})" : string.Empty);
}
