using System.Numerics;
using Settlement.Channels.Contracts;
using Settlement.Channels.Generated;
using Settlement.Ethereum.Addresses;
using Settlement.Testing.Abi;

namespace Settlement.Channels.IntegrationTests.Support;

/// <summary>The test-only contracts compiled by contracts/compile.mjs (embedded from Generated/).</summary>
internal static class TestArtifacts
{
    public static ContractArtifact FeeOnTransferToken { get; } = Load("FeeOnTransferToken");

    public static ContractArtifact NoReturnToken { get; } = Load("NoReturnToken");

    public static ContractArtifact ReentrantToken { get; } = Load("ReentrantToken");

    public static ContractArtifact RevertingReceiver { get; } = Load("RevertingReceiver");

    /// <summary>Deploys <paramref name="artifact"/> with ABI-encoded constructor arguments.</summary>
    public static async Task<Address> DeployAsync(IContractTransactor deployer, ContractArtifact artifact, IReadOnlyList<string> types, params object?[] args)
    {
        var data = artifact.Bytecode.ToArray().Concat(TestAbi.Encode(types, args)).ToArray();
        var receipt = await deployer.SendAsync(null, data, BigInteger.Zero);
        receipt.Succeeded.ShouldBeTrue();
        return receipt.ContractAddress!.Value;
    }

    private static ContractArtifact Load(string name)
    {
        using var stream = typeof(TestArtifacts).Assembly.GetManifestResourceStream($"Settlement.Channels.IntegrationTests.Generated.{name}.json")
            ?? throw new InvalidOperationException($"Embedded artifact {name} is missing.");
        using var reader = new StreamReader(stream);
        return ContractArtifact.FromJson(reader.ReadToEnd());
    }
}
