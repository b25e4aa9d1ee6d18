using FsCheck;
using FsCheck.Fluent;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Signing;

public sealed class SigningPropertyTests
{
    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(i => (byte)i);

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void SignThenRecover_AnyKeyAndHash_GivesSignerAddress(string backendName)
    {
        var backend = Backends.Get(backendName);
        var inputs = Gen.ArrayOf(AnyByte, 32).Zip(Gen.ArrayOf(AnyByte, 32)).ToArbitrary();
        Prop.ForAll(inputs, input =>
        {
            var (keyBytes, hash) = input;
            if (!PrivateKey.TryCreate(keyBytes, backend, out var key))
            {
                return true; // probability ~2^-128; nothing to sign with
            }

            using (key)
            {
                var signature = key.Sign(hash);
                return signature.TryRecoverAddress(backend, hash, out var signer)
                    && signer == key.Address
                    && Secp256k1Scalars.IsLowS(signature.S)
                    && EcdsaSignature.ParseRsv(signature.ToRsv()) == signature;
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void TryParseRsv_100000RandomInputs_NeverThrows()
    {
        // Three quarters carry a valid v, so the r/s range and low-s checks are reached too.
        var v = Gen.Frequency((1, AnyByte), (3, Gen.Elements<byte>(0, 1, 27, 28)));
        var rs = Gen.Frequency(
            (3, Gen.ArrayOf(AnyByte, 64)),
            (1, Gen.ArrayOf(Gen.Elements<byte>(0x00, 0x7F, 0xFF), 64)));
        var lengths = Gen.Frequency((9, Gen.Constant(65)), (1, Gen.Choose(0, 70)));
        var inputs = rs.Zip(v).Zip(lengths).Select(t =>
        {
            var ((rsBytes, vByte), length) = t;
            byte[] all = [.. rsBytes, vByte];
            return length == 65 ? all : all.AsSpan(0, Math.Min(length, all.Length)).ToArray();
        }).ToArbitrary();

        var accepted = 0;
        Prop.ForAll(inputs, bytes =>
        {
            if (EcdsaSignature.TryParseRsv(bytes, out var signature))
            {
                accepted++;
                return signature.ToRsv().AsSpan(0, 64).SequenceEqual(bytes.AsSpan(0, 64));
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100_000));
        accepted.ShouldBeGreaterThan(10_000);
    }
}
