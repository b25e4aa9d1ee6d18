// Independent oracle: the sandbox deliberately carries its own base64url helpers instead of using
// Settlement.OpenBanking's. It stands for a bank written by someone else from the OBIE spec, so a
// mistake in the connector's copy cannot hide by being made twice. Do not merge the two copies;
// docs/bank-sandbox.md ("An independent oracle").
namespace Settlement.BankSandbox.Security;

/// <summary>RFC 4648 §5 base64url without padding.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || !System.Buffers.Text.Base64Url.IsValid(text))
        {
            return false;
        }

        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
