using System.Buffers.Binary;

namespace Settlement.Service.IntegrationTests.Ledger;

/// <summary>The stores' 16-byte big-endian encoding, written out independently for raw SQL in the tests.</summary>
internal static class LedgerCodecForTests
{
    public static byte[] Encode(UInt128 value)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return bytes;
    }
}
