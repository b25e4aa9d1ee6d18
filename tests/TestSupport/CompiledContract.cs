using Nethereum.ABI.Model;

namespace Settlement.Testing;

/// <summary>A contract compiled by <see cref="SolidityCompiler"/>.</summary>
/// <param name="Name">The contract name.</param>
/// <param name="AbiJson">The ABI as JSON.</param>
/// <param name="Abi">The parsed ABI (Nethereum).</param>
/// <param name="Bytecode">The creation bytecode (constructor arguments are appended to it).</param>
public sealed record CompiledContract(string Name, string AbiJson, ContractABI Abi, byte[] Bytecode);
