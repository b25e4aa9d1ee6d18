namespace Settlement.Ethereum.Abi;

/// <summary>Canonical signatures (Solidity ABI specification, "Function Selector").</summary>
internal static class AbiSignatures
{
    internal static string Canonical(string name, IReadOnlyList<AbiParameter> parameters) =>
        name + "(" + string.Join(",", parameters.Select(p => p.Type.CanonicalName)) + ")";
}
