using System.Text.Json;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Nethereum.Signer;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.Tests.Rlp;
using Settlement.Ethereum.Transactions;

namespace Settlement.Ethereum.Tests.Transactions;

/// <summary>Byte-for-byte equality with ethers 6.17.0 (Vectors/transactions-ethers.json).</summary>
public sealed class TransactionVectorTests
{
    private static readonly JsonElement Root = Load();

    public static TheoryData<int> TransactionIndexes() => [.. Enumerable.Range(0, Root.GetProperty("transactions").GetArrayLength())];

    public static TheoryData<int> RlpIndexes() => [.. Enumerable.Range(0, Root.GetProperty("rlp").GetArrayLength())];

    [Fact]
    public void Vectors_FileHasSourceAndEnoughCasesOfEachKind()
    {
        Root.GetProperty("source").GetString()!.ShouldContain("ethers 6.17.0");
        var kinds = Root.GetProperty("transactions").EnumerateArray().GroupBy(t => t.GetProperty("kind").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        (kinds["eip1559"] + kinds["legacy-eip155"] + kinds["legacy-pre155"]).ShouldBeGreaterThanOrEqualTo(200);
        kinds["eip1559"].ShouldBeGreaterThanOrEqualTo(100);
        kinds["legacy-eip155"].ShouldBeGreaterThanOrEqualTo(50);
        kinds["legacy-pre155"].ShouldBeGreaterThanOrEqualTo(20);
        var txs = Root.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("tx")).ToArray();
        txs.Count(t => t.GetProperty("to").ValueKind == JsonValueKind.Null).ShouldBeGreaterThan(10);
        txs.Count(t => t.GetProperty("data").GetString() == "0x").ShouldBeGreaterThan(10);
        txs.Count(t => t.TryGetProperty("accessList", out var a) && a.GetArrayLength() > 0).ShouldBeGreaterThan(10);
        Root.GetProperty("rlp").GetArrayLength().ShouldBeGreaterThanOrEqualTo(200);
    }

    [Theory]
    [MemberData(nameof(TransactionIndexes))]
    public void Sign_EthersVector_SameSigningHashRawAndHash(int index)
    {
        var vector = Root.GetProperty("transactions")[index];
        var tx = TransactionJson.Parse(vector.GetProperty("tx").GetRawText());
        Hex.Encode(tx.EncodeForSigning()).ShouldBe(vector.GetProperty("unsigned").GetString());
        Hex.Encode(tx.GetSigningHash()).ShouldBe(vector.GetProperty("signingHash").GetString());

        using var key = PrivateKey.ParseHex(vector.GetProperty("privateKey").GetString()!);
        var signed = tx.Sign(key);
        signed.RawHex.ShouldBe(vector.GetProperty("raw").GetString());
        signed.HashHex.ShouldBe(vector.GetProperty("hash").GetString());
        signed.Sender.ShouldBe(Address.Parse(vector.GetProperty("from").GetString()!));
        // ethers reports the signature's v as 27/28; the v on the wire is checked by the raw bytes above.
        signed.Signature.V.ShouldBe(byte.Parse(vector.GetProperty("v").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(TransactionIndexes))]
    public void Decode_EthersVector_RecoversSenderAndFields(int index)
    {
        var vector = Root.GetProperty("transactions")[index];
        var raw = Hex.Decode(vector.GetProperty("raw").GetString()!);
        var expected = TransactionJson.Parse(vector.GetProperty("tx").GetRawText());

        SignedTransaction.TryDecode(raw, expected.TransactionChainId, out var decoded, out var error).ShouldBeTrue(error);
        decoded.Sender.ShouldBe(Address.Parse(vector.GetProperty("from").GetString()!));

        // Three ways: ethers' from, our recovery (above), Nethereum's recovery from the same bytes.
        Address.Parse(TransactionVerificationAndRecovery.GetSenderAddress(vector.GetProperty("raw").GetString()!)).ShouldBe(decoded.Sender);
        decoded.HashHex.ShouldBe(vector.GetProperty("hash").GetString());
        decoded.Transaction.GetType().ShouldBe(expected.GetType());
        Hex.Encode(decoded.Transaction.EncodeForSigning()).ShouldBe(vector.GetProperty("unsigned").GetString());
        Hex.Encode(decoded.Signature.R).ShouldBe(vector.GetProperty("r").GetString());
        Hex.Encode(decoded.Signature.S).ShouldBe(vector.GetProperty("s").GetString());
        decoded.Signature.RecoveryId.ShouldBe((byte)vector.GetProperty("yParity").GetInt32());
        decoded.Transaction.Nonce.ShouldBe(expected.Nonce);
        decoded.Transaction.Value.ShouldBe(expected.Value);
        decoded.Transaction.To.ShouldBe(expected.To);
        decoded.Transaction.Data.ShouldBe(expected.Data);
    }

    [Theory]
    [MemberData(nameof(RlpIndexes))]
    public void Rlp_EthersVector_EncodesAndDecodesSameBytes(int index)
    {
        var vector = Root.GetProperty("rlp")[index];
        var item = ToItem(vector.GetProperty("value"));
        var encoded = vector.GetProperty("encoded").GetString()!;
        Hex.Encode(item.Encode()).ShouldBe(encoded);
        RlpFraming.TryCheck(Hex.Decode(encoded), 64, out var error).ShouldBeTrue(error);
        RlpNode.Decode(Hex.Decode(encoded)).ShouldBe(item);
    }

    private static RlpNode ToItem(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? RlpNode.List(value.EnumerateArray().Select(ToItem))
        : RlpNode.String(value.GetString()!);

    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "transactions-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
