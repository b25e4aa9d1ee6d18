using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Encoding;
using Settlement.Ethereum.Signing;

namespace Settlement.Ethereum.Tests.Signing;

public sealed class SigningVectorTests
{
    [Fact]
    public void Vectors_FromEthers_AreEnoughAndSayWhereTheyCameFrom()
    {
        SigningVectors.Source.ShouldStartWith("ethers 6.17.0");
        SigningVectors.Cases.Count.ShouldBeGreaterThanOrEqualTo(200);
        SigningVectors.Cases.ShouldContain(c => c.V == 27);
        SigningVectors.Cases.ShouldContain(c => c.V == 28);
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Sign_EthersVectors_MatchByteForByte(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var vector in SigningVectors.Cases)
        {
            using var key = PrivateKey.Create(vector.PrivateKey, backend);
            var signature = key.Sign(vector.Hash);
            Hex.Encode(signature.R).ShouldBe(Hex.Encode(vector.R));
            Hex.Encode(signature.S).ShouldBe(Hex.Encode(vector.S));
            signature.V.ShouldBe(vector.V);
            signature.ToRsv().ShouldBe([.. vector.R, .. vector.S, vector.V]);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void PublicKeyAndAddress_EthersVectors_Match(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var vector in SigningVectors.Cases)
        {
            using var key = PrivateKey.Create(vector.PrivateKey, backend);
            key.PublicKey.ToString().ShouldBe(Hex.Encode(vector.PublicKey));
            key.Address.ToString().ShouldBe(vector.Address);
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Recover_EthersVectors_GiveSignerAndPublicKey(string backendName)
    {
        var backend = Backends.Get(backendName);
        foreach (var vector in SigningVectors.Cases)
        {
            var signature = EcdsaSignature.ParseRsv([.. vector.R, .. vector.S, vector.V]);
            signature.TryRecoverAddress(backend, vector.Hash, out var address).ShouldBeTrue();
            address.ShouldBe(Address.Parse(vector.Address));
            PublicKey.TryRecover(backend, vector.Hash, signature, out var publicKey).ShouldBeTrue();
            publicKey!.ToString().ShouldBe(Hex.Encode(vector.PublicKey));
        }
    }
}
