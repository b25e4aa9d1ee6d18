using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Eip712Document = Settlement.Ethereum.TypedData.TypedData;

namespace Settlement.Ethereum.Tests.TypedData;

public sealed class TypedDataPropertyTests
{
    private static readonly string[] Documents = Load();

    [Fact]
    public void TryParse_MutatedDocuments_NeverThrows()
    {
        var rejected = 0;
        const string Alphabet = "{}[]\",:0123456789abcdefxX-. \\uABCDEF[]";
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var text = Documents[random.Next(Documents.Length)].ToCharArray().ToList();
            for (var m = 1 + random.Next(3); m > 0 && text.Count > 0; m--)
            {
                var at = random.Next(text.Count);
                switch (random.Next(3))
                {
                    case 0: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                    case 1: text.RemoveAt(at); break;
                    default: text.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                }
            }

            if (!Eip712Document.TryParse(new string([.. text]), out _, out var error))
            {
                rejected++;
                return error.Length > 0;
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), property);
        rejected.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public void TryParse_DeeplyNestedJson_RejectedCleanly()
    {
        var deep = """{"types":{"T":[{"name":"v","type":"uint8[]"}]},"primaryType":"T","domain":{},"message":{"v":""" +
                   new string('[', 100_000) + new string(']', 100_000) + "}}";
        Eip712Document.TryParse(deep, out _, out _).ShouldBeFalse();
    }

    private static string[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "eip712-ethers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("documents").EnumerateArray().Take(40)
            .Select(d => d.GetProperty("typedData").GetRawText()).ToArray();
    }
}
