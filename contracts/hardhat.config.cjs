// Hardhat 2 configuration for the local test node only (tests/TestSupport HardhatNode starts
// `hardhat node --config contracts/hardhat.config.cjs`). Nothing is compiled with Hardhat here:
// sources point at an empty folder so `hardhat node` never needs a compiler download.
module.exports = {
  solidity: "0.8.28",
  paths: {
    sources: "./cache/hardhat-node/sources",
    cache: "./cache/hardhat-node/cache",
    artifacts: "./cache/hardhat-node/artifacts",
  },
  networks: {
    hardhat: {
      chainId: 31337,
      mining: { auto: true },
    },
  },
};
