using System.Diagnostics.CodeAnalysis;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;

namespace Settlement.Ethereum.Abi;

/// <summary>A Solidity custom error (<c>error InsufficientBalance(uint256 available, uint256 required)</c>).</summary>
public sealed class AbiError
{
    private readonly byte[] _selector;
    private readonly AbiType[] _types;

    internal AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        _types = inputs.Select(p => p.Type).ToArray();
        Signature = AbiSignatures.Canonical(name, inputs);
        _selector = Keccak256.HashUtf8(Signature)[..4];
    }

    /// <summary>The error name.</summary>
    public string Name { get; }

    /// <summary>The error's parameters.</summary>
    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>The canonical signature, e.g. <c>Error(string)</c>.</summary>
    public string Signature { get; }

    /// <summary>The 4-byte selector.</summary>
    public ReadOnlySpan<byte> Selector => _selector;

    /// <summary>The selector as 0x-hex.</summary>
    public string SelectorHex => Hex.Encode(_selector);

    /// <summary>Parses <c>error Name(type name, …)</c>.</summary>
    /// <param name="signature">Human-readable signature.</param>
    /// <exception cref="FormatException">Not a valid error signature.</exception>
    public static AbiError Parse(string signature)
    {
        var fragment = AbiSignatureParser.ParseFragment(signature);
        if (fragment.Kind is not ("error" or "function") || fragment.Outputs.Length > 0)
        {
            throw new FormatException($"Expected an error, got {fragment.Kind}: \"{signature}\".");
        }

        return new AbiError(fragment.Name, fragment.Inputs);
    }

    /// <summary>Revert data: selector and encoded arguments.</summary>
    /// <param name="args">One value per parameter.</param>
    public byte[] Encode(params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return AbiEncoder.EncodeWithPrefix(_selector, _types, args);
    }

    /// <summary>Whether the data starts with this error's selector.</summary>
    /// <param name="data">Revert data.</param>
    public bool Matches(ReadOnlySpan<byte> data) => data.Length >= 4 && data[..4].SequenceEqual(_selector);

    /// <summary>Decodes revert data that starts with this error's selector; never throws on bad data.</summary>
    /// <param name="data">Revert data.</param>
    /// <param name="args">The arguments on success.</param>
    public bool TryDecode(ReadOnlySpan<byte> data, [NotNullWhen(true)] out object?[]? args)
    {
        args = null;
        return Matches(data) && AbiDecoder.TryDecode(_types, data[4..], out args);
    }

    /// <summary>The human-readable form.</summary>
    public override string ToString() => $"error {Name}({string.Join(", ", Inputs)})";
}
