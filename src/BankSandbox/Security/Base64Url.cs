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
