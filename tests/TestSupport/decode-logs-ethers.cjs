// Decodes raw event logs with ethers 6.17.0 (an implementation independent of our C# decoders), for the
// event cross-check tests (Settlement.Testing.EthersLogDecoder):
//   node tests/TestSupport/decode-logs-ethers.cjs src/Channels/Generated/SettlementChannels.json ... < logs.json
// Arguments: compiled artifacts (JSON with an "abi" array, paths relative to the repository root or absolute).
// stdin: a JSON array of logs exactly as eth_getLogs / a receipt returns them ({address, topics, data, ...}).
// stdout: a JSON array, one entry per log: null if no artifact's ABI has its topic 0, else
//   {name, signature, args: {field: value}} with addresses and bytes as lower-case 0x-hex, integers as decimal
//   strings and bools as "true"/"false". A `BatchRedeemed` log also gets `items`: its packed `items` bytes read
//   per the contract's NatSpec (37 bytes each: payer 20 | nonce 5 | cumulative amount 12) with each item's channel
//   id computed here as keccak256(abi.encode(payer, payee, token, challengePeriod, nonce)).
const { createRequire } = require("node:module");
const { readFileSync } = require("node:fs");
const { isAbsolute, join } = require("node:path");

const root = join(__dirname, "../..");
const { ethers } = createRequire(join(root, "contracts/package.json"))("ethers");

const interfaces = process.argv.slice(2).map((file) => {
  const artifact = JSON.parse(readFileSync(isAbsolute(file) ? file : join(root, file), "utf8"));
  return new ethers.Interface(artifact.abi);
});
if (interfaces.length === 0) {
  console.error("usage: node decode-logs-ethers.cjs <artifact.json>... < logs.json");
  process.exit(2);
}

function format(type, value) {
  if (type === "address") return value.toLowerCase();
  if (type === "bool") return value ? "true" : "false";
  if (type.startsWith("uint") || type.startsWith("int")) return value.toString();
  if (type.startsWith("bytes")) return value.toLowerCase();
  throw new Error(`unsupported event field type ${type}`);
}

function batchItems(args) {
  const bytes = ethers.getBytes(args.items);
  if (bytes.length % 37 !== 0) throw new Error(`BatchRedeemed items of ${bytes.length} bytes`);
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const items = [];
  for (let i = 0; i < bytes.length; i += 37) {
    const payer = ethers.hexlify(bytes.slice(i, i + 20));
    const nonce = ethers.toBigInt(bytes.slice(i + 20, i + 25));
    const cumulativeAmount = ethers.toBigInt(bytes.slice(i + 25, i + 37));
    const channelId = ethers.keccak256(coder.encode(
      ["address", "address", "address", "uint32", "uint64"], [payer, args.payee, args.token, args.challengePeriod, nonce]));
    items.push({ payer: payer.toLowerCase(), nonce: nonce.toString(), cumulativeAmount: cumulativeAmount.toString(), channelId });
  }
  return items;
}

const logs = JSON.parse(readFileSync(0, "utf8"));
const decoded = logs.map((log) => {
  for (const iface of interfaces) {
    const parsed = iface.parseLog({ topics: log.topics, data: log.data });
    if (parsed === null) continue;
    const args = {};
    parsed.fragment.inputs.forEach((input, i) => {
      args[input.name] = format(input.type, parsed.args[i]);
    });
    const entry = { name: parsed.name, signature: parsed.signature, args };
    if (parsed.name === "BatchRedeemed") entry.items = batchItems(parsed.args);
    return entry;
  }
  return null;
});
process.stdout.write(JSON.stringify(decoded));
