using System.Text.Encodings.Web;
using System.Text.Json;

namespace Settlement.BankSandbox.Hosting;

/// <summary>Serializer settings for bodies the bank writes: no HTML escaping, so "+00:00" stays readable.</summary>
internal static class SandboxJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
