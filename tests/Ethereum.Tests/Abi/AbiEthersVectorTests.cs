using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.RPC.Eth.DTOs;
using Settlement.Ethereum.Abi;

namespace Settlement.Ethereum.Tests.Abi;

/// <summary>
/// The ABI layer is Nethereum's: these tests hold it (and our <see cref="RevertReason"/>, which decodes with
/// it) byte for byte to ethers 6.17.0 (Vectors/abi-ethers.json).
/// </summary>
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
        var types = c.GetProperty("types").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var parameters = NethereumAbiValues.Parameters(string.Join(", ", types));
        var values = NethereumAbiValues.FromJson(parameters, c.GetProperty("values"));
        var expected = c.GetProperty("encoded").GetString()!;

        new ParametersEncoder().EncodeParameters(parameters, values).ToHex(prefix: true).ShouldBe(expected);
        var decoded = NethereumAbiValues.Results(new ParameterDecoder().DecodeDefaultData(expected.HexToByteArray(), parameters));
        NethereumAbiValues.Canon(parameters, decoded).ShouldBe(NethereumAbiValues.Canon(parameters, values));
    }

    [Theory]
    [MemberData(nameof(FunctionCases))]
    public void Function_EthersCase_SelectorCallDataAndReturnDataMatch(int index)
    {
        var c = Root.GetProperty("functions")[index];
        var function = NethereumAbiValues.Function(c.GetProperty("signature").GetString()!);
        function.Signature.ShouldBe(c.GetProperty("canonical").GetString());
        ("0x" + function.Sha3Signature).ShouldBe(c.GetProperty("selector").GetString());

        var args = NethereumAbiValues.FromJson(function.InputParameters, c.GetProperty("args"));
        var callData = c.GetProperty("callData").GetString()!;
        new FunctionCallEncoder().EncodeRequest(function.Sha3Signature, function.InputParameters, args).ShouldBe(callData);
        var decodedArgs = NethereumAbiValues.Results(new FunctionCallDecoder().DecodeFunctionInput(function.Sha3Signature, callData, function.InputParameters));
        NethereumAbiValues.Canon(function.InputParameters, decodedArgs).ShouldBe(NethereumAbiValues.Canon(function.InputParameters, args));

        var outputs = NethereumAbiValues.FromJson(function.OutputParameters, c.GetProperty("outputs"));
        var returnData = c.GetProperty("returnData").GetString()!;
        new ParametersEncoder().EncodeParameters(function.OutputParameters, outputs).ToHex(prefix: true).ShouldBe(returnData);
        if (function.OutputParameters.Length > 0)
        {
            var decoded = NethereumAbiValues.Results(new FunctionCallDecoder().DecodeDefaultData(returnData, function.OutputParameters));
            NethereumAbiValues.Canon(function.OutputParameters, decoded).ShouldBe(NethereumAbiValues.Canon(function.OutputParameters, outputs));
        }
    }

    [Theory]
    [MemberData(nameof(EventCases))]
    public void Event_EthersCase_TopicAndDecodedValuesMatch(int index)
    {
        var c = Root.GetProperty("events")[index];
        var abiEvent = NethereumAbiValues.Event(c.GetProperty("signature").GetString()!);
        abiEvent.Signature.ShouldBe(c.GetProperty("canonical").GetString());
        ("0x" + abiEvent.Sha3Signature).ShouldBe(c.GetProperty("topic0").GetString());

        var values = NethereumAbiValues.FromJson(abiEvent.InputParameters, c.GetProperty("values"));
        var topics = c.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var log = new FilterLog { Topics = topics.Cast<object>().ToArray(), Data = c.GetProperty("data").GetString() };
        var decoded = abiEvent.DecodeEventDefaultTopics(log).Event.OrderBy(o => o.Parameter.Order).ToArray();

        var topic = 1;
        for (var i = 0; i < abiEvent.InputParameters.Length; i++)
        {
            var p = abiEvent.InputParameters[i];
            if (p.Indexed && (p.ABIType.IsDynamic() || p.Type.StartsWith("tuple", StringComparison.Ordinal) || p.Type.Contains('[', StringComparison.Ordinal)))
            {
                // A reference type is indexed by the hash of its encoding: the topic itself.
                var hash = decoded[i].Result is byte[] bytes ? bytes.ToHex(prefix: true) : (string)decoded[i].Result;
                hash.EnsureHexPrefix().ShouldBe(topics[topic], p.Name);
            }
            else
            {
                NethereumAbiValues.Canon(p.ABIType, decoded[i].Result).ShouldBe(NethereumAbiValues.Canon(p.ABIType, values[i]), p.Name);
            }

            topic += p.Indexed ? 1 : 0;
        }
    }

    [Theory]
    [MemberData(nameof(RevertCases))]
    public void RevertReason_EthersCase_DecodesKindAndArguments(int index)
    {
        var errors = new ABIJsonDeserialiser().DeserialiseContract(Root.GetProperty("revertAbi").GetRawText()).Errors;
        var c = Root.GetProperty("reverts")[index];
        var data = c.GetProperty("data").GetString()!.HexToByteArray();

        RevertReason.TryDecode(data, errors, out var reason).ShouldBeTrue();
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
                var error = errors.Single(e => e.Name == reason.Name);
                var expected = NethereumAbiValues.FromJson(error.InputParameters, c.GetProperty("args"));
                CanonArguments(error, reason.Arguments).ShouldBe(NethereumAbiValues.Canon(error.InputParameters, expected));
                ("0x" + error.Sha3Signature + new ParametersEncoder().EncodeParameters(error.InputParameters, expected).ToHex())
                    .ShouldBe(c.GetProperty("data").GetString());
                break;
        }
    }

    [Fact]
    public void ContractAbi_SolcArtifactOfChannelContract_SelectorsTopicsAndErrorsMatchEthers()
    {
        var artifact = Root.GetProperty("artifact");
        var abi = new ABIJsonDeserialiser().DeserialiseContract(artifact.GetProperty("abi").GetRawText());

        var functions = artifact.GetProperty("functions").EnumerateArray().ToArray();
        abi.Functions.Length.ShouldBe(functions.Length);
        foreach (var f in functions)
        {
            var function = abi.Functions.Single(x => x.Signature == Canonical(f));
            ("0x" + function.Sha3Signature).ShouldBe(f.GetProperty("selector").GetString());
        }

        var events = artifact.GetProperty("events").EnumerateArray().ToArray();
        abi.Events.Length.ShouldBe(events.Length);
        foreach (var e in events)
        {
            ("0x" + abi.Events.Single(x => x.Signature == Canonical(e)).Sha3Signature).ShouldBe(e.GetProperty("topic0").GetString());
        }

        var errors = artifact.GetProperty("errors").EnumerateArray().ToArray();
        abi.Errors.Length.ShouldBe(errors.Length);
        foreach (var e in errors)
        {
            var error = abi.Errors.Single(x => x.Signature == Canonical(e));
            ("0x" + error.Sha3Signature).ShouldBe(e.GetProperty("selector").GetString());
            var data = e.GetProperty("data").GetString()!.HexToByteArray();
            RevertReason.TryDecode(data, abi.Errors, out var reason).ShouldBeTrue(error.Signature);
            reason.Kind.ShouldBe(RevertReasonKind.Custom);
            reason.Name.ShouldBe(error.Name);
            var expected = NethereumAbiValues.FromJson(error.InputParameters, e.GetProperty("args"));
            CanonArguments(error, reason.Arguments).ShouldBe(NethereumAbiValues.Canon(error.InputParameters, expected));
        }
    }

    // RevertReason hands addresses back as our Address; render them as Nethereum's strings for the comparison.
    private static string CanonArguments(ErrorABI error, IReadOnlyList<object?> arguments) =>
        NethereumAbiValues.Canon(error.InputParameters, arguments.Select(a => a is Settlement.Ethereum.Addresses.Address x ? x.ToLowerHex() : a).ToArray());

    // The artifact section names members by their canonical signature.
    private static string Canonical(JsonElement member) => member.GetProperty("signature").GetString()!;

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
