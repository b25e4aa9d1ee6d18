using System.Text.Json;
using System.Text.Json.Nodes;

namespace Settlement.Ethereum.Tests.Keystore;

/// <summary>Reads the keystore vector files under Vectors/ (see generate-keystore.mjs).</summary>
internal static class KeystoreVectors
{
    public static (string Source, IReadOnlyList<JsonObject> Cases) Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var cases = root["cases"]!.AsArray().Select(c => c!.AsObject()).ToList();
        return (root["source"]!.GetValue<string>(), cases);
    }

    public static string KeystoreJson(JsonObject vector) =>
        vector["keystore"]!.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
