using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.TypedData;

/// <summary>
/// An EIP-712 typed-data document as passed to <c>eth_signTypedData_v4</c>: <c>types</c>,
/// <c>primaryType</c>, <c>domain</c>, <c>message</c>. Parsing validates the whole document (unknown
/// types, missing or undeclared fields, out-of-range values) and computes the digest
/// (EIP-712 "Specification of the eth_signTypedData JSON RPC", "Definition of hashStruct").
/// When <c>types</c> has no <c>EIP712Domain</c>, it is derived from the domain's fields in the
/// standard order (name, version, chainId, verifyingContract, salt), as ethers.js does.
/// </summary>
public sealed class TypedData
{
    /// <summary>The name of the domain type.</summary>
    public const string DomainTypeName = "EIP712Domain";

    private static readonly (string Name, string Type)[] StandardDomainFields =
    [
        ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32"),
    ];

    private readonly Dictionary<string, TypedDataField[]> _types;
    private readonly Dictionary<string, byte[]> _typeHashes = new(StringComparer.Ordinal);
    private readonly byte[] _domainSeparator;
    private readonly byte[] _messageHash;
    private readonly byte[] _digest;

    private TypedData(Dictionary<string, TypedDataField[]> types, string primaryType, JsonElement domain, JsonElement message)
    {
        _types = types;
        PrimaryType = primaryType;
        Domain = domain;
        Message = message;
        _domainSeparator = HashStruct(DomainTypeName, domain, "domain");
        _messageHash = HashStruct(primaryType, message, "message");
        _digest = new byte[32];
        Eip712Encoding.Digest(_domainSeparator, _messageHash, _digest);
    }

    /// <summary>The primary type (the type of <see cref="Message"/>).</summary>
    public string PrimaryType { get; }

    /// <summary>The struct types, <c>EIP712Domain</c> included.</summary>
    public IReadOnlyDictionary<string, TypedDataField[]> Types => _types;

    /// <summary>The domain object.</summary>
    public JsonElement Domain { get; }

    /// <summary>The message object.</summary>
    public JsonElement Message { get; }

    /// <summary>Parses and validates an <c>eth_signTypedData_v4</c> JSON document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="FormatException">The document is invalid; the message says where.</exception>
    public static TypedData Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
            return FromJsonCore(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException("Typed data is not valid JSON: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            // Lone UTF-16 surrogates in the text cannot be transcoded to UTF-8.
            throw new FormatException("Typed data is not valid text: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // A string value with an invalid \u escape (lone surrogate) cannot be read.
            throw new FormatException("Typed data holds an invalid string: " + e.Message, e);
        }
    }

    /// <summary>Parses a document, returning false and the reason instead of throwing.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="typedData">The document on success.</param>
    /// <param name="error">Why it is invalid.</param>
    public static bool TryParse(string? json, [NotNullWhen(true)] out TypedData? typedData, out string error)
    {
        typedData = null;
        if (json is null)
        {
            error = "Typed data is null.";
            return false;
        }

        try
        {
            typedData = Parse(json);
            error = string.Empty;
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Reads a document from a parsed JSON element.</summary>
    /// <param name="root">The document object.</param>
    /// <exception cref="FormatException">The document is invalid.</exception>
    public static TypedData FromJson(JsonElement root)
    {
        try
        {
            return FromJsonCore(root);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException("Typed data holds an invalid string: " + e.Message, e);
        }
    }

    private static TypedData FromJsonCore(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Typed data must be a JSON object.");
        }

        var typesJson = Property(root, "types", JsonValueKind.Object);
        var primaryType = Property(root, "primaryType", JsonValueKind.String).GetString()!;
        var domain = Property(root, "domain", JsonValueKind.Object).Clone();
        var message = Property(root, "message", JsonValueKind.Object).Clone();

        var types = new Dictionary<string, TypedDataField[]>(StringComparer.Ordinal);
        foreach (var type in typesJson.EnumerateObject())
        {
            if (!IsIdentifier(type.Name) || IsAtomicOrDynamic(type.Name))
            {
                throw new FormatException($"Invalid type name '{type.Name}'.");
            }

            if (type.Value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"Type '{type.Name}' must be an array of fields.");
            }

            var fields = new List<TypedDataField>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in type.Value.EnumerateArray())
            {
                if (field.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"A field of '{type.Name}' is not an object.");
                }

                var name = Property(field, "name", JsonValueKind.String).GetString()!;
                var fieldType = Property(field, "type", JsonValueKind.String).GetString()!;
                if (!names.Add(name))
                {
                    throw new FormatException($"Type '{type.Name}' declares field '{name}' twice.");
                }

                fields.Add(new TypedDataField(name, fieldType));
            }

            types[type.Name] = [.. fields];
        }

        if (!types.ContainsKey(DomainTypeName))
        {
            types[DomainTypeName] = StandardDomainFields
                .Where(f => domain.TryGetProperty(f.Name, out _))
                .Select(f => new TypedDataField(f.Name, f.Type))
                .ToArray();
        }

        foreach (var (name, fields) in types)
        {
            foreach (var field in fields)
            {
                var baseType = BaseType(field.Type, out _);
                if (!types.ContainsKey(baseType) && !IsAtomicOrDynamic(baseType))
                {
                    throw new FormatException($"Field '{field.Name}' of '{name}' has unknown type '{field.Type}'.");
                }
            }
        }

        if (!types.ContainsKey(primaryType))
        {
            throw new FormatException($"primaryType '{primaryType}' is not among the types.");
        }

        return new TypedData(types, primaryType, domain, message);
    }

    /// <summary>The EIP-712 digest to sign: <c>keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message))</c>.</summary>
    public byte[] Hash() => (byte[])_digest.Clone();

    /// <summary>hashStruct(domain).</summary>
    public byte[] DomainSeparator() => (byte[])_domainSeparator.Clone();

    /// <summary>hashStruct(message).</summary>
    public byte[] MessageHash() => (byte[])_messageHash.Clone();

    /// <summary>Signs the digest: the result's <see cref="EcdsaSignature.ToRsv"/> is what <c>eth_signTypedData_v4</c> returns.</summary>
    /// <param name="key">The signing key.</param>
    public EcdsaSignature Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(_digest);
    }

    /// <summary>The address that produced a 65-byte r‖s‖v signature over this document.</summary>
    /// <param name="signature">r‖s‖v, v in {0, 1, 27, 28}.</param>
    /// <exception cref="FormatException">The signature is malformed (length, v, range, high s).</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">No key matches.</exception>
    public Address RecoverSigner(ReadOnlySpan<byte> signature) => EcdsaSignature.ParseRsv(signature).RecoverAddress(_digest);

    /// <summary>The address that produced a signature over this document.</summary>
    /// <param name="signature">The signature.</param>
    public Address RecoverSigner(in EcdsaSignature signature) => signature.RecoverAddress(_digest);

    /// <summary>encodeType: the type's own definition followed by the referenced types sorted by name.</summary>
    /// <param name="typeName">A struct type.</param>
    public string EncodeType(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        if (!_types.ContainsKey(typeName))
        {
            throw new ArgumentException($"Unknown type '{typeName}'.", nameof(typeName));
        }

        var deps = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(typeName, deps);
        deps.Remove(typeName);
        var sb = new StringBuilder();
        foreach (var name in deps.Prepend(typeName))
        {
            sb.Append(name).Append('(');
            sb.AppendJoin(',', _types[name].Select(f => f.Type + " " + f.Name));
            sb.Append(')');
        }

        return sb.ToString();
    }

    /// <summary>typeHash = keccak256(encodeType(type)).</summary>
    /// <param name="typeName">A struct type.</param>
    public byte[] TypeHash(string typeName) => Keccak256.HashUtf8(EncodeType(typeName));

    private void CollectDependencies(string typeName, SortedSet<string> found)
    {
        if (!found.Add(typeName))
        {
            return;
        }

        foreach (var field in _types[typeName])
        {
            var baseType = BaseType(field.Type, out _);
            if (_types.ContainsKey(baseType))
            {
                CollectDependencies(baseType, found);
            }
        }
    }

    private byte[] HashStruct(string typeName, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected an object of type {typeName}.");
        }

        var fields = _types[typeName];
        foreach (var property in value.EnumerateObject())
        {
            if (!fields.Any(f => f.Name == property.Name))
            {
                throw new FormatException($"{path}: field '{property.Name}' is not declared in type {typeName}.");
            }
        }

        var buffer = new byte[32 * (fields.Length + 1)];
        TypeHashCached(typeName).CopyTo(buffer, 0);
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            if (!value.TryGetProperty(field.Name, out var fieldValue))
            {
                throw new FormatException($"{path}: missing field '{field.Name}' of type {typeName}.");
            }

            EncodeValue(field.Type, fieldValue, path + "." + field.Name, buffer.AsSpan(32 * (i + 1), 32));
        }

        return Keccak256.Hash(buffer);
    }

    private byte[] TypeHashCached(string typeName)
    {
        if (!_typeHashes.TryGetValue(typeName, out var hash))
        {
            hash = TypeHash(typeName);
            _typeHashes[typeName] = hash;
        }

        return hash;
    }

    /// <summary>encodeData of one member value into a 32-byte word.</summary>
    private void EncodeValue(string type, JsonElement value, string path, Span<byte> word)
    {
        if (type.EndsWith(']'))
        {
            var elementType = BaseTypeOfArray(type, out var fixedLength);
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{path}: expected an array for {type}.");
            }

            var count = value.GetArrayLength();
            if (fixedLength is { } n && n != count)
            {
                throw new FormatException($"{path}: {type} needs {n} elements, got {count}.");
            }

            var buffer = new byte[32 * count];
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                EncodeValue(elementType, item, $"{path}[{i}]", buffer.AsSpan(32 * i, 32));
                i++;
            }

            Keccak256.Hash(buffer, word);
            return;
        }

        if (_types.ContainsKey(type))
        {
            HashStruct(type, value, path).CopyTo(word);
            return;
        }

        switch (type)
        {
            case "string":
                Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(ExpectString(value, type, path)), word);
                return;
            case "bytes":
                Keccak256.Hash(ParseHexBytes(value, type, path), word);
                return;
            case "bool":
                word.Clear();
                word[31] = value.ValueKind switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => throw new FormatException($"{path}: expected true or false."),
                };
                return;
            case "address":
                if (!Address.TryParse(ExpectString(value, type, path), out var address))
                {
                    throw new FormatException($"{path}: '{value.GetString()}' is not a valid address (0x and 40 hex digits, EIP-55 checksum if mixed case).");
                }

                word[..12].Clear();
                address.Bytes.CopyTo(word[12..]);
                return;
        }

        var abiType = Eip712AtomicType.Parse(type)!.Value;
        switch (abiType.Kind)
        {
            case Eip712AtomicKind.FixedBytes:
            {
                var bytes = ParseHexBytes(value, type, path);
                if (bytes.Length != abiType.Size)
                {
                    throw new FormatException($"{path}: {type} needs exactly {abiType.Size} bytes, got {bytes.Length}.");
                }

                word.Clear();
                bytes.CopyTo(word);
                return;
            }

            default:
            {
                var integer = ParseInteger(value, path);
                var bits = abiType.Size;
                var inRange = abiType.Kind == Eip712AtomicKind.UInt
                    ? integer.Sign >= 0 && integer.GetBitLength() <= bits
                    : integer >= -(BigInteger.One << (bits - 1)) && integer < (BigInteger.One << (bits - 1));
                if (!inRange)
                {
                    throw new FormatException($"{path}: {integer} is out of range for {type}.");
                }

                Eip712AtomicType.WriteWord(integer, word);
                return;
            }
        }
    }

    private static BigInteger ParseInteger(JsonElement value, string path)
    {
        string text;
        if (value.ValueKind == JsonValueKind.Number)
        {
            text = value.GetRawText();
            if (text.AsSpan().IndexOfAny(".eE") >= 0)
            {
                throw new FormatException($"{path}: {text} is not an integer.");
            }
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            text = value.GetString()!;
        }
        else
        {
            throw new FormatException($"{path}: expected an integer (number, decimal string or 0x-hex string).");
        }

        var negative = text.StartsWith('-');
        var digits = negative ? text.AsSpan(1) : text.AsSpan();
        BigInteger result;
        if (Encoding.Hex.HasPrefix(digits))
        {
            var hex = digits[2..];
            if (hex.IsEmpty || hex.Length > 64 || !BigInteger.TryParse("0" + hex.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result))
            {
                throw new FormatException($"{path}: '{text}' is not a valid hex integer.");
            }
        }
        else if (digits.IsEmpty || digits.Length > 80 || digits.ContainsAnyExceptInRange('0', '9')
                 || !BigInteger.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out result))
        {
            throw new FormatException($"{path}: '{text}' is not a valid integer.");
        }

        return negative ? -result : result;
    }

    private static byte[] ParseHexBytes(JsonElement value, string type, string path)
    {
        var text = ExpectString(value, type, path);
        if (!Encoding.Hex.HasPrefix(text) || !Encoding.Hex.TryDecode(text, out var bytes))
        {
            throw new FormatException($"{path}: {type} must be 0x-prefixed hex with an even number of digits.");
        }

        return bytes;
    }

    private static string ExpectString(JsonElement value, string type, string path) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{path}: expected a string for {type}.");

    private static JsonElement Property(JsonElement obj, string name, JsonValueKind kind)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new FormatException($"Typed data needs '{name}' as a JSON {kind.ToString().ToLowerInvariant()}.");
        }

        return value;
    }

    /// <summary>The innermost element type of a (possibly multi-dimensional) array type.</summary>
    private static string BaseType(string type, out bool isArray)
    {
        isArray = false;
        var t = type;
        while (t.EndsWith(']'))
        {
            t = BaseTypeOfArray(t, out _);
            isArray = true;
        }

        return t;
    }

    /// <summary>For <c>T[k]</c> or <c>T[]</c>: T and k; the outermost dimension is the last one.</summary>
    private static string BaseTypeOfArray(string type, out int? fixedLength)
    {
        var open = type.LastIndexOf('[');
        if (open <= 0)
        {
            throw new FormatException($"Invalid array type '{type}'.");
        }

        var inner = type.AsSpan(open + 1, type.Length - open - 2);
        fixedLength = null;
        if (!inner.IsEmpty)
        {
            if (!int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || inner[0] == '0')
            {
                throw new FormatException($"Invalid array length in '{type}'.");
            }

            fixedLength = n;
        }

        return type[..open];
    }

    private static bool IsAtomicOrDynamic(string type) =>
        Eip712AtomicType.Parse(type) is not null && type is not ("uint" or "int");

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');
}
