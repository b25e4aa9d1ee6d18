using FsCheck;
using FsCheck.Fluent;
using Settlement.Channels.Transport;

namespace Settlement.Channels.Tests.Transport;

public sealed class PayeeFramePropertyTests
{
    [Fact]
    public void EncodeThenDecode_AnyFrame_GivesSameFrameAndBytes()
    {
        Prop.ForAll(FrameSamples.AnyFrame.ToArbitrary(), frame =>
        {
            var bytes = PayeeFrameCodec.Encode(frame);
            return bytes.Length == PayeeFrameCodec.GetEncodedLength(frame)
                && bytes.Length <= PayeeFrames.MaxLengthOf(frame.Type)
                && bytes[0] == (byte)frame.Type
                && PayeeFrameCodec.TryDecode(bytes, out var decoded, out var error)
                && error == 0
                && decoded.Equals(frame)
                && PayeeFrameCodec.Encode(decoded).AsSpan().SequenceEqual(bytes);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void JsonEncodeThenDecode_AnyFrame_GivesSameFrame()
    {
        Prop.ForAll(FrameSamples.AnyFrame.ToArbitrary(), frame =>
        {
            var json = PayeeJsonCodec.Encode(frame);
            return PayeeJsonCodec.TryDecode(json, out var decoded, out var error)
                && error == 0
                && decoded.Equals(frame)
                && PayeeJsonCodec.Encode(decoded) == json;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }

    [Fact]
    public void Decode_AnyFrameCutShort_IsRefused()
    {
        var cases = FrameSamples.AnyFrame.Zip(Gen.Choose(1, 1_000)).ToArbitrary();
        Prop.ForAll(cases, input =>
        {
            var (frame, seed) = input;
            var bytes = PayeeFrameCodec.Encode(frame);
            var cut = seed % bytes.Length;
            return !PayeeFrameCodec.TryDecode(bytes.AsSpan(0, cut), out _, out var error) && error != 0;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2_000));
    }
}
