// Independent oracle: the sandbox deliberately carries its own base64url helpers instead of using
// Settlement.OpenBanking's. It stands for a bank written by someone else from the OBIE spec, so a
// mistake in the connector's copy cannot hide by being made twice. Do not merge the two copies;
// docs/bank-sandbox.md ("An independent oracle").
namespace Settlement.BankSandbox.Security;

/// <summary>RFC 4648 §5 base64url without padding.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>
    /// Strict decoding: only the 64 URL-safe characters, no padding, no whitespace, no length of 4n+1, and the unused
    /// trailing bits zero (the canonical encoding), so one byte string has exactly one accepted spelling.
    /// </summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length % 4 == 1 || !text.All(IsAlphabet))
        {
            return false;
        }

        try
        {
            var decoded = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            if (!string.Equals(Encode(decoded), text, StringComparison.Ordinal))
            {
                return false;
            }

            bytes = decoded;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsAlphabet(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
}
