using System.Diagnostics;
using System.Text;
using Settlement.Channels.Payee;
using Settlement.Channels.Transport;
using Xunit.Abstractions;

namespace Settlement.Channels.Tests.Transport;

/// <summary>
/// Feeds random and mutated inputs to both decoders: nothing may throw, and whatever the binary decoder accepts must
/// re-encode to exactly the bytes it came from (one message, one encoding). Seeded, so a failure reproduces; the
/// failing input is printed as hex.
/// </summary>
public sealed class PayeeFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 0x5EED_2098;
    private const int Inputs = 120_000;

    /// <summary>Values that sit on the edges of the amount length byte, the type byte and the flag bytes.</summary>
    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x03, 0x04, 0x0C, 0x0D, 0x1B, 0x1C, 0x7F, 0x80, 0x81, 0x83, 0x84, 0xFE, 0xFF];

    /// <summary>JSON fragments that hit the parser's and the reader's limits.</summary>
    private static readonly string[] JsonValues =
    [
        "null", "true", "false", "0", "-0", "-1", "1.5", "1e3", "1E-7", "18446744073709551615", "18446744073709551616",
        "1" + new string('0', 400), "\"\"", "\"0\"", "\"00\"", "\"-1\"", "\"79228162514264337593543950335\"",
        "\"79228162514264337593543950336\"", "\"" + new string('9', 300) + "\"", "\"0x\"", "\"0x00\"", "\"\\u0000\"",
        "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\uD83D\\uDE00\"", "[]", "{}", "[[[[[[[[]]]]]]]]", new string('[', 70) + new string(']', 70),
        "{\"a\":{\"b\":{\"c\":{}}}}", "\"voucher\"", "\"accepted\"", "\"rejected\"", "\"stale\"", "\"highS\"", "256", "65536",
    ];

    private static readonly string[] JsonNames =
    [
        "type", "version", "chainId", "contract", "channelId", "cumulativeAmount", "signature", "payee", "receiptEveryVouchers",
        "receiptEverySeconds", "maxVouchersInFlight", "outcome", "rejectCode", "submittedAmount", "storedAmount", "issuedAt", "code",
        "Type", "", "type\\u0000",
    ];

    [Fact]
    public void TryDecode_120000RandomAndMutatedFrames_NeverThrowsAndAcceptedFramesReencodeExactly()
    {
        var random = new Random(Seed);
        var seeds = FrameSamples.Types
            .SelectMany(type => Enumerable.Range(0, 64).Select(_ => PayeeFrameCodec.Encode(FrameSamples.Random(random, type))))
            .ToArray();
        var codes = new Dictionary<VoucherRejectCode, int>();
        var accepted = 0;
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < Inputs; i++)
        {
            var input = i % 8 == 0 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Length)], seeds);
            try
            {
                if (PayeeFrameCodec.TryDecode(input, out var frame, out var error))
                {
                    accepted++;
                    PayeeFrameCodec.Encode(frame).ShouldBe(input, $"input {i}: {Convert.ToHexString(input)}");
                }
                else
                {
                    frame.ShouldBeNull();
                    codes[error] = codes.GetValueOrDefault(error) + 1;
                }
            }
            catch (Exception e) when (e is not ShouldAssertException)
            {
                throw new InvalidOperationException($"Seed {Seed}, input {i} threw: {Convert.ToHexString(input)}", e);
            }
        }

        output.WriteLine($"binary: {Inputs} inputs in {stopwatch.ElapsedMilliseconds} ms; {accepted} accepted; refused {string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}");
        accepted.ShouldBeGreaterThan(Inputs / 20);
        codes.Keys.ShouldBe(
            [VoucherRejectCode.MalformedFrame, VoucherRejectCode.OversizedFrame, VoucherRejectCode.ExceedsDeposit], ignoreOrder: true);
    }

    [Fact]
    public void TryDecodeJson_100000RandomAndMutatedDocuments_NeverThrowsAndAcceptedFramesAlsoEncodeToBinary()
    {
        const int documents = 100_000;
        var random = new Random(Seed);
        var seeds = FrameSamples.Types
            .SelectMany(type => Enumerable.Range(0, 32).Select(_ => PayeeJsonCodec.EncodeUtf8(FrameSamples.Random(random, type))))
            .ToArray();
        var codes = new Dictionary<VoucherRejectCode, int>();
        var accepted = 0;
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < documents; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var input = (i % 10) switch
            {
                0 => RandomBytes(random),
                < 6 => MutateJson(random, seed),
                _ => Mutate(random, seed, seeds),
            };
            if (i % 1_000 == 1)
            {
                input = [.. input, .. Enumerable.Repeat((byte)' ', PayeeJsonCodec.MaxInputLength - input.Length + random.Next(-2, 3))];
            }

            try
            {
                if (PayeeJsonCodec.TryDecode(input, out var frame, out var error))
                {
                    accepted++;
                    var binary = PayeeFrameCodec.Encode(frame);
                    PayeeFrameCodec.TryDecode(binary, out var fromBinary, out _).ShouldBeTrue();
                    fromBinary.ShouldBe(frame);
                    PayeeJsonCodec.TryDecode(PayeeJsonCodec.EncodeUtf8(frame), out var again, out _).ShouldBeTrue();
                    again.ShouldBe(frame);
                }
                else
                {
                    frame.ShouldBeNull();
                    codes[error] = codes.GetValueOrDefault(error) + 1;
                }

                // The string overload must agree wherever the bytes are valid UTF-8 (checked on a sample: it parses twice).
                var text = i % 8 == 0 ? Encoding.UTF8.GetString(input) : null;
                if (text is not null && Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(input))
                {
                    PayeeJsonCodec.TryDecode(text, out var fromText, out var textError).ShouldBe(frame is not null);
                    textError.ShouldBe(error);
                    if (frame is not null)
                    {
                        fromText.ShouldBe(frame);
                    }
                }
            }
            catch (Exception e) when (e is not ShouldAssertException)
            {
                throw new InvalidOperationException($"Seed {Seed}, document {i} threw: {Encoding.UTF8.GetString(input)}", e);
            }
        }

        output.WriteLine($"json: {documents} inputs in {stopwatch.ElapsedMilliseconds} ms; {accepted} accepted; refused {string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}"))}");
        accepted.ShouldBeGreaterThan(documents / 50);
        codes.Keys.ShouldContain(VoucherRejectCode.ExceedsDeposit);
        codes.Keys.ShouldContain(VoucherRejectCode.MalformedSignature);
        codes.Keys.ShouldContain(VoucherRejectCode.OversizedFrame);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(201)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(2) == 0)
        {
            bytes[0] = Interesting[random.Next(Interesting.Length)]; // mostly a real type byte, so the fields are reached
        }

        return bytes;
    }

    /// <summary>One to four byte-level mutations: flip, set, insert, delete, truncate, extend, splice.</summary>
    private static byte[] Mutate(Random random, byte[] seed, byte[][] seeds)
    {
        var bytes = new List<byte>(seed);
        var count = random.Next(1, 5);
        for (var m = 0; m < count; m++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 4)));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5:
                    bytes.AddRange(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256)));
                    break;
                case 6:
                    var other = seeds[random.Next(seeds.Length)];
                    var from = random.Next(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(random.Next(1, 40)));
                    break;
                default:
                    if (bytes.Count > 33)
                    {
                        bytes[33] = Interesting[random.Next(Interesting.Length)]; // the first amount length byte
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>Structural JSON mutations: a member's value replaced, a member dropped, repeated or added, or the type changed.</summary>
    private static byte[] MutateJson(Random random, byte[] seed)
    {
        var json = Encoding.UTF8.GetString(seed);
        var members = json[1..^1].Split(',').ToList();
        switch (random.Next(6))
        {
            case 0:
            case 1:
                var at = random.Next(members.Count);
                var name = members[at][..(members[at].IndexOf(':', StringComparison.Ordinal) + 1)];
                members[at] = name + JsonValues[random.Next(JsonValues.Length)];
                break;
            case 2:
                members.RemoveAt(random.Next(members.Count));
                break;
            case 3:
                members.Insert(random.Next(members.Count + 1), members[random.Next(members.Count)]);
                break;
            case 4:
                members.Insert(random.Next(members.Count + 1), $"\"{JsonNames[random.Next(JsonNames.Length)]}\":{JsonValues[random.Next(JsonValues.Length)]}");
                break;
            default:
                var signatureAt = members.FindIndex(m => m.StartsWith("\"signature\"", StringComparison.Ordinal));
                if (signatureAt >= 0)
                {
                    // Tamper with v or the top bit of s: the signature paths of the decoder.
                    var chars = members[signatureAt].ToCharArray();
                    var index = random.Next(2) == 0 ? chars.Length - 3 : 15 + 64;
                    chars[index] = "0123456789abcdefABCDEFx"[random.Next(23)];
                    members[signatureAt] = new string(chars);
                }

                break;
        }

        return Encoding.UTF8.GetBytes("{" + string.Join(',', members) + "}");
    }
}
