using System.Diagnostics.CodeAnalysis;

namespace Settlement.OpenBanking.Signing;

/// <summary>RFC 4648 §5 base64url without padding (JWS, JWK).</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text is null)
        {
            return false;
        }

        var buffer = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(text.Length)];
        var status = System.Buffers.Text.Base64Url.DecodeFromChars(text, buffer, out _, out var written);
        if (status != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        bytes = written == buffer.Length ? buffer : buffer[..written];
        return true;
    }
}
