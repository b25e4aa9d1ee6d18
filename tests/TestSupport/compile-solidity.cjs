// Compiles one Solidity file with solcjs (contracts/node_modules/solc, standard JSON, offline) and
// prints {"contracts": {name: {abi, bytecode}}} on stdout. Used by Settlement.Testing.SolidityCompiler:
//   node tests/TestSupport/compile-solidity.cjs tests/Ethereum.IntegrationTests/Contracts/Probe.sol
const { createRequire } = require("node:module");
const { readFileSync } = require("node:fs");
const { basename, join } = require("node:path");

const requireFromContracts = createRequire(join(__dirname, "../../contracts/package.json"));
const solc = requireFromContracts("solc");
const file = process.argv[2];
if (!file) {
  console.error("usage: node compile-solidity.cjs <file.sol>");
  process.exit(2);
}

const name = basename(file);
const input = {
  language: "Solidity",
  sources: { [name]: { content: readFileSync(file, "utf8") } },
  settings: {
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  console.error(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}

const contracts = {};
for (const [contractName, contract] of Object.entries(output.contracts[name])) {
  contracts[contractName] = { abi: contract.abi, bytecode: "0x" + contract.evm.bytecode.object };
}
process.stdout.write(JSON.stringify({ compiler: solc.version(), contracts }));
