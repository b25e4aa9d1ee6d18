using Settlement.Channels.Payee;
using Settlement.Channels.Vouchers;
using Settlement.Ethereum.Addresses;

namespace Settlement.Channels.IntegrationTests.Storage.Shared;

/// <summary>Raw column values and records for the shared codec tests, written out by hand.</summary>
internal static class SharedRows
{
    public static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

    public static ChannelKey Key(ulong chain = 1, byte contract = 0xaa, byte channel = 0x01) =>
        new(chain, Address.FromBytes(Repeat(contract, Address.Length)), ChannelId.FromBytes(Repeat(channel, ChannelId.Length)));

    /// <summary>A well-formed r‖s‖v: 64 bytes of 0x11 then v.</summary>
    public static byte[] Signature(byte v = 27)
    {
        var signature = Repeat(0x11, 65);
        signature[64] = v;
        return signature;
    }

    /// <summary>A 32-byte big-endian word from its hex digits (left-padded with zeros).</summary>
    public static byte[] Word(string hex) => Convert.FromHexString(hex.PadLeft(64, '0'));

    /// <summary>2^96 as a 32-byte word.</summary>
    public static byte[] Limit => Word("01" + new string('0', 24));

    public static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
}
