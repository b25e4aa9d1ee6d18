using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Settlement.Ethereum.Abi;
using Settlement.Ethereum.Encoding;

namespace Settlement.Ethereum.Tests.Abi;

/// <summary>Byte-for-byte equality with ethers 6.17.0 (Vectors/abi-ethers.json).</summary>
public sealed class AbiEthersVectorTests
{
    private static readonly JsonElement Root = LoadVectors();

    public static TheoryData<int> EncodeCases => Indexes("encode");

    public static TheoryData<int> FunctionCases => Indexes("functions");

    public static TheoryData<int> EventCases => Indexes("events");

    public static TheoryData<int> RevertCases => Indexes("reverts");

    [Fact]
    public void Vectors_FileHasSourceAndEnoughCases()
    {
        Root.GetProperty("source").GetString()!.ShouldContain("ethers 6.17.0");
        Root.GetProperty("encode").GetArrayLength().ShouldBeGreaterThanOrEqualTo(300);
        Root.GetProperty("functions").GetArrayLength().ShouldBeGreaterThanOrEqualTo(100);
        Root.GetProperty("events").GetArrayLength().ShouldBeGreaterThanOrEqualTo(100);
    }

    [Theory]
    [MemberData(nameof(EncodeCases))]
    public void Encode_EthersCase_MatchesBytesAndDecodesBack(int index)
    {
        var c = Root.GetProperty("encode")[index];
        var types = c.GetProperty("types").EnumerateArray().Select(t => AbiType.Parse(t.GetString()!)).ToArray();
        types.Select(t => t.CanonicalName).ShouldBe(c.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
        var values = AbiTestValues.FromJson(types, c.GetProperty("values"));
        var expected = c.GetProperty("encoded").GetString();

        Hex.Encode(AbiEncoder.Encode(types, values)).ShouldBe(expected);
        var decoded = AbiDecoder.Decode(types, Hex.Decode(expected!));
        AbiTestValues.Canon(decoded).ShouldBe(AbiTestValues.Canon(values));
    }

    [Theory]
    [MemberData(nameof(FunctionCases))]
    public void Function_EthersCase_SelectorCallDataAndReturnDataMatch(int index)
    {
        var c = Root.GetProperty("functions")[index];
        var function = AbiFunction.Parse(c.GetProperty("signature").GetString()!);
        function.Signature.ShouldBe(c.GetProperty("canonical").GetString());
        function.SelectorHex.ShouldBe(c.GetProperty("selector").GetString());

        var inputTypes = function.Inputs.Select(p => p.Type).ToArray();
        var args = AbiTestValues.FromJson(inputTypes, c.GetProperty("args"));
        var callData = c.GetProperty("callData").GetString()!;
        Hex.Encode(function.EncodeCall(args)).ShouldBe(callData);
        AbiTestValues.Canon(function.DecodeInput(Hex.Decode(callData))).ShouldBe(AbiTestValues.Canon(args));

        var outputs = AbiTestValues.FromJson(function.Outputs.Select(p => p.Type).ToArray(), c.GetProperty("outputs"));
        var returnData = c.GetProperty("returnData").GetString()!;
        Hex.Encode(function.EncodeOutput(outputs)).ShouldBe(returnData);
        AbiTestValues.Canon(function.DecodeOutput(Hex.Decode(returnData))).ShouldBe(AbiTestValues.Canon(outputs));
    }

    [Theory]
    [MemberData(nameof(EventCases))]
    public void Event_EthersCase_TopicsDataAndDecodedValuesMatch(int index)
    {
        var c = Root.GetProperty("events")[index];
        var abiEvent = AbiEvent.Parse(c.GetProperty("signature").GetString()!);
        abiEvent.Signature.ShouldBe(c.GetProperty("canonical").GetString());
        abiEvent.Topic0Hex.ShouldBe(c.GetProperty("topic0").GetString());

        var values = AbiTestValues.FromJson(abiEvent.Inputs.Select(p => p.Type).ToArray(), c.GetProperty("values"));
        var topics = c.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var data = c.GetProperty("data").GetString()!;

        var (ourTopics, ourData) = abiEvent.EncodeLog(values);
        ourTopics.Select(t => Hex.Encode(t)).ShouldBe(topics);
        Hex.Encode(ourData).ShouldBe(data);

        var decoded = abiEvent.Decode(topics.Select(Hex.Decode).ToArray(), Hex.Decode(data));
        for (var i = 0; i < abiEvent.Inputs.Count; i++)
        {
            var p = abiEvent.Inputs[i];
            var expected = p.Indexed && p.Type.IsDynamic ? AbiEvent.EncodeTopic(p.Type, values[i]) : values[i];
            AbiTestValues.Canon(decoded[p.Name]).ShouldBe(AbiTestValues.Canon(expected), p.Name);
        }
    }

    [Theory]
    [MemberData(nameof(RevertCases))]
    public void RevertReason_EthersCase_DecodesKindAndArguments(int index)
    {
        var abi = ContractAbi.FromJson(Root.GetProperty("revertAbi").GetRawText());
        var c = Root.GetProperty("reverts")[index];
        var data = Hex.Decode(c.GetProperty("data").GetString()!);

        RevertReason.TryDecode(data, abi, out var reason).ShouldBeTrue();
        switch (c.GetProperty("kind").GetString())
        {
            case "Error":
                reason.Kind.ShouldBe(RevertReasonKind.Error);
                reason.Message.ShouldBe(c.GetProperty("message").GetString());
                break;
            case "Panic":
                reason.Kind.ShouldBe(RevertReasonKind.Panic);
                reason.PanicCode.ShouldBe(BigInteger.Parse(c.GetProperty("code").GetString()!, CultureInfo.InvariantCulture));
                break;
            default:
                reason.Kind.ShouldBe(RevertReasonKind.Custom);
                reason.Name.ShouldBe(c.GetProperty("name").GetString());
                var error = abi.Error(reason.Name);
                var expected = AbiTestValues.FromJson(error.Inputs.Select(p => p.Type).ToArray(), c.GetProperty("args"));
                AbiTestValues.Canon(reason.Arguments.ToArray()).ShouldBe(AbiTestValues.Canon(expected));
                Hex.Encode(error.Encode(expected)).ShouldBe(c.GetProperty("data").GetString());
                break;
        }
    }

    [Fact]
    public void ContractAbi_SolcArtifactOfChannelContract_SelectorsTopicsAndErrorsMatchEthers()
    {
        var artifact = Root.GetProperty("artifact");
        var abi = ContractAbi.FromJson(artifact.GetProperty("abi").GetRawText());

        var functions = artifact.GetProperty("functions").EnumerateArray().ToArray();
        abi.Functions.Count.ShouldBe(functions.Length);
        foreach (var f in functions)
        {
            var function = abi.Function(f.GetProperty("signature").GetString()!);
            function.SelectorHex.ShouldBe(f.GetProperty("selector").GetString());
        }

        var events = artifact.GetProperty("events").EnumerateArray().ToArray();
        abi.Events.Count.ShouldBe(events.Length);
        foreach (var e in events)
        {
            abi.Event(e.GetProperty("signature").GetString()!).Topic0Hex.ShouldBe(e.GetProperty("topic0").GetString());
        }

        var errors = artifact.GetProperty("errors").EnumerateArray().ToArray();
        abi.Errors.Count.ShouldBe(errors.Length);
        foreach (var e in errors)
        {
            var error = abi.Error(e.GetProperty("signature").GetString()!);
            error.SelectorHex.ShouldBe(e.GetProperty("selector").GetString());
            var data = Hex.Decode(e.GetProperty("data").GetString()!);
            RevertReason.TryDecode(data, abi, out var reason).ShouldBeTrue(error.Signature);
            reason.Kind.ShouldBe(RevertReasonKind.Custom);
            reason.Name.ShouldBe(error.Name);
            var expected = AbiTestValues.FromJson(error.Inputs.Select(p => p.Type).ToArray(), e.GetProperty("args"));
            AbiTestValues.Canon(reason.Arguments.ToArray()).ShouldBe(AbiTestValues.Canon(expected));
            Hex.Encode(error.Encode(expected)).ShouldBe(e.GetProperty("data").GetString());
        }
    }

    private static TheoryData<int> Indexes(string section)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Root.GetProperty(section).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static JsonElement LoadVectors()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "abi-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
