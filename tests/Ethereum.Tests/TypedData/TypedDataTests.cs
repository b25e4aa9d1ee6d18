using System.Text.Json.Nodes;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Hashing;
using Settlement.Ethereum.Signing;
using Eip712Document = Settlement.Ethereum.TypedData.TypedData;

namespace Settlement.Ethereum.Tests.TypedData;

public sealed class TypedDataTests
{
    // The example of EIP-712 itself (Ether Mail), with its published digest and the signature by keccak256("cow").
    private const string EtherMail = """
        {
          "types": {
            "EIP712Domain": [
              { "name": "name", "type": "string" }, { "name": "version", "type": "string" },
              { "name": "chainId", "type": "uint256" }, { "name": "verifyingContract", "type": "address" }
            ],
            "Person": [ { "name": "name", "type": "string" }, { "name": "wallet", "type": "address" } ],
            "Mail": [ { "name": "from", "type": "Person" }, { "name": "to", "type": "Person" }, { "name": "contents", "type": "string" } ]
          },
          "primaryType": "Mail",
          "domain": { "name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
          "message": {
            "from": { "name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
            "to": { "name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
            "contents": "Hello, Bob!"
          }
        }
        """;

    [Fact]
    public void Hash_Eip712SpecExample_MatchesPublishedDigestAndSignature()
    {
        var typedData = Eip712Document.Parse(EtherMail);
        typedData.EncodeType("Mail").ShouldBe("Mail(Person from,Person to,string contents)Person(string name,address wallet)");
        Hex.Encode(typedData.TypeHash("Mail")).ShouldBe("0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2");
        Hex.Encode(typedData.DomainSeparator()).ShouldBe("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
        Hex.Encode(typedData.MessageHash()).ShouldBe("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
        Hex.Encode(typedData.Hash()).ShouldBe("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");

        using var cow = PrivateKey.Create(Keccak256.HashUtf8("cow"));
        cow.Address.ShouldBe(Address.Parse("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"));
        var signature = typedData.Sign(cow);
        Hex.Encode(signature.ToRsv()).ShouldBe(
            "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c");
        typedData.RecoverSigner(signature.ToRsv()).ShouldBe(cow.Address);
    }

    [Fact]
    public void EncodeType_RecursiveAndSharedTypes_ReferencedTypesSortedOnce()
    {
        var json = """
            {"types":{"Z":[{"name":"z","type":"uint8"}],"A":[{"name":"z","type":"Z[]"},{"name":"b","type":"B"}],
             "B":[{"name":"z","type":"Z"},{"name":"kids","type":"B[]"}],
             "Root":[{"name":"b","type":"B"},{"name":"a","type":"A[2]"}]},
             "primaryType":"Root","domain":{},
             "message":{"b":{"z":{"z":1},"kids":[{"z":{"z":2},"kids":[]}]},
                        "a":[{"z":[],"b":{"z":{"z":3},"kids":[]}},{"z":[{"z":4}],"b":{"z":{"z":5},"kids":[]}}]}}
            """;
        var typedData = Eip712Document.Parse(json);
        typedData.EncodeType("Root").ShouldBe("Root(B b,A[2] a)A(Z[] z,B b)B(Z z,B[] kids)Z(uint8 z)");
        typedData.EncodeType("B").ShouldBe("B(Z z,B[] kids)Z(uint8 z)");
        Hex.Encode(typedData.DomainSeparator()).ShouldBe(Hex.Encode(Keccak256.Hash(Keccak256.HashUtf8("EIP712Domain()"))));
    }

    [Theory]
    [InlineData("types.Mail[0].type", "Persona", "unknown type")]
    [InlineData("message.from.wallet", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD827", "not a valid address")]
    [InlineData("message.contents", 5, "expected a string")]
    [InlineData("domain.chainId", "-1", "out of range")]
    [InlineData("domain.chainId", "1.5", "not a valid integer")]
    [InlineData("domain.chainId", "0x10000000000000000000000000000000000000000000000000000000000000000", "not a valid hex integer")]
    [InlineData("primaryType", "Nobody", "primaryType")]
    public void Parse_InvalidDocument_ThrowsFormatExceptionNamingTheProblem(string path, object replacement, string expected)
    {
        var node = JsonNode.Parse(EtherMail)!;
        Set(node, path, replacement);
        var e = Should.Throw<FormatException>(() => Eip712Document.Parse(node.ToJsonString()));
        e.Message.ShouldContain(expected);
        Eip712Document.TryParse(node.ToJsonString(), out _, out var error).ShouldBeFalse();
        error.ShouldContain(expected);
    }

    [Fact]
    public void Parse_MissingAndUndeclaredFields_Rejected()
    {
        var node = JsonNode.Parse(EtherMail)!;
        node["message"]!.AsObject().Remove("contents");
        Should.Throw<FormatException>(() => Eip712Document.Parse(node.ToJsonString())).Message.ShouldContain("missing field 'contents'");

        node = JsonNode.Parse(EtherMail)!;
        node["message"]!["extra"] = 1;
        Should.Throw<FormatException>(() => Eip712Document.Parse(node.ToJsonString())).Message.ShouldContain("'extra' is not declared");

        node = JsonNode.Parse(EtherMail)!;
        node["domain"]!["salt"] = "0x" + new string('0', 64);
        Should.Throw<FormatException>(() => Eip712Document.Parse(node.ToJsonString())).Message.ShouldContain("'salt' is not declared");
    }

    [Theory]
    [InlineData("uint8", "256", false)]
    [InlineData("uint8", "255", true)]
    [InlineData("uint8", "0xff", true)]
    [InlineData("int8", "-128", true)]
    [InlineData("int8", "-129", false)]
    [InlineData("int8", "128", false)]
    [InlineData("int256", "-0x8000000000000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("bytes4", "0x01020304", true)]
    [InlineData("bytes4", "0x010203", false)]
    [InlineData("bytes4", "01020304", false)]
    [InlineData("bytes", "0x0", false)]
    [InlineData("uint256[2]", "[1]", false)]
    [InlineData("uint256[2]", "[1,2]", true)]
    [InlineData("bool", "1", false)]
    [InlineData("bool", "true", true)]
    public void Parse_ValueChecks(string type, string valueJson, bool valid)
    {
        var value = valueJson.StartsWith('[') || valueJson is "true" or "1" ? valueJson : "\"" + valueJson + "\"";
        var json = $$$"""{"types":{"T":[{"name":"v","type":"{{{type}}}"}]},"primaryType":"T","domain":{"name":"x"},"message":{"v":{{{value}}}}}""";
        Eip712Document.TryParse(json, out _, out var error).ShouldBe(valid, error);
    }

    [Fact]
    public void Hash_ChangingAnyPart_ChangesDigest()
    {
        var original = Hex.Encode(Eip712Document.Parse(EtherMail).Hash());
        foreach (var (path, value) in new (string, object)[]
                 {
                     ("domain.chainId", 2), ("domain.name", "Ether Mail2"), ("message.contents", "Hello, Bob?"),
                     ("message.to.wallet", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbC".ToLowerInvariant()),
                 })
        {
            var node = JsonNode.Parse(EtherMail)!;
            Set(node, path, value);
            Hex.Encode(Eip712Document.Parse(node.ToJsonString()).Hash()).ShouldNotBe(original, path);
        }
    }

    private static void Set(JsonNode root, string path, object value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = part.EndsWith(']')
                ? node[part[..part.IndexOf('[')]]![int.Parse(part[(part.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!
                : node[part]!;
        }

        var last = parts[^1];
        if (last.EndsWith(']'))
        {
            var name = last[..last.IndexOf('[')];
            var index = int.Parse(last[(last.IndexOf('[') + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            node[name]![index] = JsonValue.Create(value);
        }
        else
        {
            node[last] = value switch { int i => JsonValue.Create(i), string s => JsonValue.Create(s), _ => throw new ArgumentException("value") };
        }
    }
}
