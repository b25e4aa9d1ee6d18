using System.Globalization;

namespace Settlement.Ethereum.Abi;

/// <summary>
/// Recursive-descent parser for human-readable ABI: <c>function f(uint256 a, (address,bytes)[] b) returns (bool)</c>,
/// <c>event E(address indexed from, uint256 v) anonymous</c>, <c>error E(uint256)</c> and bare types.
/// </summary>
internal sealed class AbiSignatureParser
{
    private const int MaxDepth = 32;
    private readonly string _text;
    private int _pos;

    private AbiSignatureParser(string text) => _text = text;

    internal static AbiType ParseType(string text)
    {
        var parser = new AbiSignatureParser(text);
        var type = parser.ReadType(0);
        parser.SkipSpace();
        if (parser._pos != text.Length)
        {
            throw parser.Error("unexpected text after the type");
        }

        return type;
    }

    internal static ParsedFragment ParseFragment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new AbiSignatureParser(text);
        return parser.ReadFragment();
    }

    private ParsedFragment ReadFragment()
    {
        SkipSpace();
        var kind = "function";
        var first = PeekIdentifier();
        if (first is "function" or "event" or "error" or "constructor")
        {
            kind = ReadIdentifier();
        }

        var name = kind == "constructor" ? string.Empty : ReadIdentifier();
        if (name.Length == 0 && kind != "constructor")
        {
            throw Error("expected a name");
        }

        var inputs = ReadParameterList(0);
        var outputs = Array.Empty<AbiParameter>();
        var mutability = "nonpayable";
        var anonymous = false;
        while (true)
        {
            SkipSpace();
            if (_pos == _text.Length)
            {
                break;
            }

            var word = ReadIdentifier();
            switch (word)
            {
                case "returns":
                    outputs = ReadParameterList(0);
                    break;
                case "view" or "pure" or "payable" or "nonpayable":
                    mutability = word;
                    break;
                case "constant":
                    mutability = "view";
                    break;
                case "anonymous":
                    anonymous = true;
                    break;
                case "external" or "public" or "virtual" or "override":
                    break;
                case "":
                    throw Error("unexpected character");
                default:
                    throw Error($"unexpected word '{word}'");
            }
        }

        return new ParsedFragment(kind, name, inputs, outputs, mutability, anonymous);
    }

    private AbiParameter[] ReadParameterList(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("tuples nested too deeply");
        }

        Expect('(');
        var list = new List<AbiParameter>();
        SkipSpace();
        if (TryConsume(')'))
        {
            return [.. list];
        }

        while (true)
        {
            list.Add(ReadParameter(depth));
            SkipSpace();
            if (TryConsume(')'))
            {
                return [.. list];
            }

            Expect(',');
        }
    }

    private AbiParameter ReadParameter(int depth)
    {
        var type = ReadType(depth);
        var indexed = false;
        var name = string.Empty;
        while (true)
        {
            SkipSpace();
            var word = PeekIdentifier();
            if (word.Length == 0)
            {
                break;
            }

            if (word is "indexed")
            {
                indexed = true;
            }
            else if (word is "memory" or "calldata" or "storage" or "payable")
            {
                // data location and address payable do not change the ABI type
            }
            else if (name.Length == 0)
            {
                name = word;
            }
            else
            {
                throw Error($"unexpected word '{word}'");
            }

            _pos += word.Length;
        }

        return new AbiParameter(name, type, indexed);
    }

    private AbiType ReadType(int depth)
    {
        SkipSpace();
        AbiType type;
        if (Peek() == '(' || PeekIdentifier() == "tuple")
        {
            if (Peek() != '(')
            {
                _pos += "tuple".Length;
            }

            type = AbiType.Tuple(ReadParameterList(depth + 1));
        }
        else
        {
            var start = _pos;
            var word = ReadIdentifier();
            type = AbiType.ParseElementary(word) ?? throw Error($"unknown type '{word}'", start);
            SkipSpace();
            if (word == "address" && PeekIdentifier() == "payable")
            {
                _pos += "payable".Length;
            }
        }

        while (true)
        {
            SkipSpace();
            if (!TryConsume('['))
            {
                return type;
            }

            SkipSpace();
            if (TryConsume(']'))
            {
                type = AbiType.ArrayOf(type);
                continue;
            }

            var start = _pos;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }

            if (!int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length < 1 || (long)type.HeadSize * length > 1 << 24)
            {
                throw Error("invalid fixed array length", start);
            }

            Expect(']');
            type = AbiType.FixedArrayOf(type, length);
        }
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private char Peek()
    {
        SkipSpace();
        return _pos < _text.Length ? _text[_pos] : '\0';
    }

    private bool TryConsume(char c)
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Error($"expected '{c}'");
        }
    }

    private string PeekIdentifier()
    {
        SkipSpace();
        var end = _pos;
        while (end < _text.Length && (char.IsAsciiLetterOrDigit(_text[end]) || _text[end] is '_' or '$'))
        {
            end++;
        }

        if (end > _pos && char.IsAsciiDigit(_text[_pos]))
        {
            return string.Empty;
        }

        return _text[_pos..end];
    }

    private string ReadIdentifier()
    {
        var word = PeekIdentifier();
        _pos += word.Length;
        return word;
    }

    private FormatException Error(string message, int? at = null) =>
        new($"Invalid ABI signature at position {at ?? _pos}: {message} in \"{_text}\".");
}

/// <summary>The parts of a parsed human-readable fragment.</summary>
internal sealed record ParsedFragment(
    string Kind,
    string Name,
    AbiParameter[] Inputs,
    AbiParameter[] Outputs,
    string StateMutability,
    bool Anonymous);
