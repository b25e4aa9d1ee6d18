using System.Globalization;
using System.Numerics;
using Settlement.Channels.Payer;
using Settlement.Ethereum.Addresses;
using Settlement.Ethereum.Signing;
using Settlement.Ethereum.TypedData;

namespace Settlement.Channels.Tests.Payer;

/// <summary>The EIP-2612 permit digest against the generic EIP-712 encoder (itself checked against ethers' vectors).</summary>
public sealed class Erc2612PermitTests
{
    private static readonly Address Token = Address.Parse("0x00000000000000000000000000000000000000aa");
    private static readonly Address Spender = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");

    [Theory]
    [InlineData(null)]
    [InlineData("2")]
    public void Digest_EqualsTheGenericTypedDataHash(string? version)
    {
        var owner = Address.Parse("0x1111111111111111111111111111111111111111");

        var digest = version is null
            ? Erc2612Permit.Digest("Test USD", 31337, Token, owner, Spender, 1_000_000, 3, 1_900_000_000)
            : Erc2612Permit.Digest("Test USD", 31337, Token, owner, Spender, 1_000_000, 3, 1_900_000_000, version);

        digest.ShouldBe(TypedData.Parse(PermitJson(version ?? "1", owner, 1_000_000, 3, 1_900_000_000)).Hash());
    }

    [Fact]
    public void Sign_RecoversToTheOwner()
    {
        using var owner = PrivateKey.Create(Enumerable.Repeat((byte)0x44, 32).ToArray());

        var signature = Erc2612Permit.Sign(owner, "Test USD", 31337, Token, Spender, 500, 0, 1_900_000_000);

        signature.RecoverAddress(Erc2612Permit.Digest("Test USD", 31337, Token, owner.Address, Spender, 500, 0, 1_900_000_000)).ShouldBe(owner.Address);
        Should.Throw<ArgumentNullException>(() => Erc2612Permit.Sign(null!, "Test USD", 31337, Token, Spender, 500, 0, 1)).ParamName.ShouldBe("owner");
    }

    private static string PermitJson(string version, Address owner, BigInteger value, BigInteger nonce, BigInteger deadline) =>
        $$"""
        {
          "types": {
            "EIP712Domain": [
              { "name": "name", "type": "string" },
              { "name": "version", "type": "string" },
              { "name": "chainId", "type": "uint256" },
              { "name": "verifyingContract", "type": "address" }
            ],
            "Permit": [
              { "name": "owner", "type": "address" },
              { "name": "spender", "type": "address" },
              { "name": "value", "type": "uint256" },
              { "name": "nonce", "type": "uint256" },
              { "name": "deadline", "type": "uint256" }
            ]
          },
          "primaryType": "Permit",
          "domain": { "name": "Test USD", "version": "{{version}}", "chainId": 31337, "verifyingContract": "{{Token}}" },
          "message": {
            "owner": "{{owner}}",
            "spender": "{{Spender}}",
            "value": "{{value.ToString(CultureInfo.InvariantCulture)}}",
            "nonce": "{{nonce.ToString(CultureInfo.InvariantCulture)}}",
            "deadline": "{{deadline.ToString(CultureInfo.InvariantCulture)}}"
          }
        }
        """;
}
