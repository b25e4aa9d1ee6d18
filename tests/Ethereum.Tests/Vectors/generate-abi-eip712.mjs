// Generates ABI and EIP-712 test vectors with ethers 6.17.0 (an independent implementation).
// Run from the repository root:  node tests/Ethereum.Tests/Vectors/generate-abi-eip712.mjs
// Deterministic: a seeded PRNG drives every choice, so re-running reproduces the files byte for byte.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../../contracts/package.json"));
const ethers = require("ethers");
const { AbiCoder, ParamType, Interface, FunctionFragment, EventFragment, TypedDataEncoder, Wallet, keccak256, toUtf8Bytes, hexlify, getAddress } = ethers;

// mulberry32: small seeded PRNG.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rand = prng(20261122);
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
const randBytes = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = int(256); return hexlify(b); };
const randBig = (bits) => {
  // mix of edge values and random values
  const r = int(8);
  const max = (1n << BigInt(bits)) - 1n;
  if (r === 0) return 0n;
  if (r === 1) return max;
  if (r === 2) return 1n;
  let v = 0n;
  const take = r === 3 ? Math.max(1, int(bits)) : bits;
  for (let i = 0; i < take; i += 8) v = (v << 8n) | BigInt(int(256));
  return v & max;
};
const randInt = (bits) => {
  const r = int(6);
  const lim = 1n << BigInt(bits - 1);
  if (r === 0) return -lim;
  if (r === 1) return lim - 1n;
  if (r === 2) return -1n;
  const u = randBig(bits);
  return u >= lim ? u - (1n << BigInt(bits)) : u;
};
const words = ["alpha", "beta", "gamma", "", "ünïcödé", "emoji 🚀", "a".repeat(33), "quote \" and \\ backslash", "x"];
const randString = () => int(3) === 0 ? pick(words) : Array.from({ length: int(70) }, () => String.fromCharCode(32 + int(95))).join("");
const randAddress = () => getAddress(randBytes(20));

// ---------- ABI ----------
function randAbiType(depth) {
  const r = int(depth > 2 ? 7 : 10);
  switch (r) {
    case 0: return "uint" + (8 * (1 + int(32)));
    case 1: return "int" + (8 * (1 + int(32)));
    case 2: return "address";
    case 3: return "bool";
    case 4: return "bytes" + (1 + int(32));
    case 5: return "bytes";
    case 6: return "string";
    case 7: return randAbiType(depth + 1) + "[]";
    case 8: return randAbiType(depth + 1) + "[" + (1 + int(3)) + "]";
    default: {
      const n = 1 + int(4);
      return "(" + Array.from({ length: n }, () => randAbiType(depth + 1)).join(",") + ")";
    }
  }
}
function randAbiValue(p) {
  if (p.baseType === "array") {
    const n = p.arrayLength === -1 ? int(4) : p.arrayLength;
    return Array.from({ length: n }, () => randAbiValue(p.arrayChildren));
  }
  if (p.baseType === "tuple") return p.components.map(randAbiValue);
  const t = p.type;
  if (t.startsWith("uint")) return randBig(parseInt(t.slice(4)));
  if (t.startsWith("int")) return randInt(parseInt(t.slice(3)));
  if (t === "address") return randAddress();
  if (t === "bool") return int(2) === 1;
  if (t === "bytes") return randBytes(int(70));
  if (t === "string") return randString();
  if (t.startsWith("bytes")) return randBytes(parseInt(t.slice(5)));
  throw new Error("type " + t);
}
// JSON form of values: integers as decimal strings, bytes as 0x-hex, arrays/tuples as arrays.
const toJson = (v) => typeof v === "bigint" ? v.toString() : Array.isArray(v) ? v.map(toJson) : v;

const coder = AbiCoder.defaultAbiCoder();
const encodeCases = [];
for (let i = 0; i < 300; i++) {
  const types = Array.from({ length: 1 + int(4) }, () => randAbiType(0));
  const params = types.map((t) => ParamType.from(t));
  const values = params.map(randAbiValue);
  encodeCases.push({ types: params.map((p) => p.format("sighash")), values: toJson(values), encoded: coder.encode(params, values) });
}

const identifiers = ["transfer", "approve", "openChannel", "f", "settle_v2", "redeem", "topUp", "x1"];
const functionCases = [];
for (let i = 0; i < 100; i++) {
  const n = int(4);
  const args = Array.from({ length: n }, (_, k) => randAbiType(1) + (int(2) ? " a" + k : ""));
  const outs = Array.from({ length: int(3) }, () => randAbiType(1));
  const text = `function ${pick(identifiers)}${i}(${args.join(", ")})` + (outs.length ? ` returns (${outs.join(", ")})` : "");
  const f = FunctionFragment.from(text);
  const values = f.inputs.map(randAbiValue);
  const iface = new Interface([f]);
  const outValues = f.outputs.map(randAbiValue);
  functionCases.push({
    signature: text, canonical: f.format("sighash"), selector: f.selector,
    args: toJson(values), callData: iface.encodeFunctionData(f, values),
    outputs: toJson(outValues), returnData: iface.encodeFunctionResult(f, outValues),
  });
}

const elementaryIndexed = () => pick(["uint256", "uint8", "int64", "int256", "address", "bool", "bytes32", "bytes4", "string", "bytes"]);
const eventCases = [];
for (let i = 0; i < 100; i++) {
  const n = 1 + int(5);
  let indexedLeft = 3;
  const params = Array.from({ length: n }, (_, k) => {
    if (indexedLeft > 0 && int(2) === 0) { indexedLeft--; return `${elementaryIndexed()} indexed p${k}`; }
    return `${randAbiType(1)} p${k}`;
  });
  const text = `event Ev${i}(${params.join(", ")})`;
  const e = EventFragment.from(text);
  const iface = new Interface([e]);
  const values = e.inputs.map(randAbiValue);
  const log = iface.encodeEventLog(e, values);
  eventCases.push({ signature: text, canonical: e.format("sighash"), topic0: e.topicHash, values: toJson(values), topics: log.topics, data: log.data });
}

const revertCases = [];
for (let i = 0; i < 20; i++) {
  const msg = randString();
  revertCases.push({ kind: "Error", message: msg, data: new Interface(["error Error(string)"]).encodeErrorResult("Error", [msg]) });
}
for (const code of [0, 1, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0x41, 0x51, 0x99]) {
  revertCases.push({ kind: "Panic", code: String(code), data: new Interface(["error Panic(uint256)"]).encodeErrorResult("Panic", [code]) });
}
const customAbi = [
  "error InsufficientBalance(uint256 available, uint256 required)",
  "error VoucherExpired(bytes32 channelId, uint64 deadline)",
  "error BadSigner(address expected, address actual, string note)",
  "error Many((uint8,bytes)[] items, int16 delta)",
];
const customIface = new Interface(customAbi);
const customJson = JSON.parse(customIface.formatJson());
for (let i = 0; i < 30; i++) {
  const err = customIface.fragments[i % customAbi.length];
  const values = err.inputs.map(randAbiValue);
  revertCases.push({ kind: "Custom", name: err.name, args: toJson(values), data: customIface.encodeErrorResult(err, values) });
}

// A real solc artifact (the channel contract, snapshot of its ABI at generation time): selectors,
// topics and revert data of its custom errors, as ethers computes them.
rand = prng(777);
const artifactAbi = JSON.parse(readFileSync(join(here, "../../../src/Channels/Generated/SettlementChannels.json"), "utf8")).abi;
const artifactIface = new Interface(artifactAbi);
const artifact = { abi: artifactAbi, functions: [], events: [], errors: [] };
artifactIface.forEachFunction((f) => artifact.functions.push({ name: f.name, signature: f.format("sighash"), selector: f.selector }));
artifactIface.forEachEvent((e) => artifact.events.push({ name: e.name, signature: e.format("sighash"), topic0: e.topicHash }));
artifactIface.forEachError((e) => {
  const values = e.inputs.map(randAbiValue);
  artifact.errors.push({ name: e.name, signature: e.format("sighash"), selector: e.selector, args: toJson(values), data: artifactIface.encodeErrorResult(e, values) });
});

const source = "Generated by tests/Ethereum.Tests/Vectors/generate-abi-eip712.mjs with ethers 6.17.0 (AbiCoder.encode, FunctionFragment.selector, Interface.encodeFunctionData/encodeFunctionResult/encodeEventLog/encodeErrorResult), PRNG seeds 20261122 and 777; 'artifact' snapshots the ABI of src/Channels/Generated/SettlementChannels.json";
writeFileSync(join(here, "abi-ethers.json"), JSON.stringify({ source, encode: encodeCases, functions: functionCases, events: eventCases, revertAbi: customJson, reverts: revertCases, artifact }, null, 1) + "\n");

// ---------- EIP-712 ----------
rand = prng(712);
const domainFields = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
  { name: "salt", type: "bytes32" },
];
const atomic = () => pick(["uint256", "uint8", "uint64", "int256", "int8", "int32", "address", "bool", "bytes32", "bytes1", "bytes7", "bytes", "string"]);
const structNames = ["Mail", "Person", "Voucher", "Asset", "Order", "Leg", "Fee", "Meta", "Item", "Note"];

function genTypes() {
  // Build a DAG of struct types: type k may reference only types with a larger index, so type 0 is the unique root.
  const count = 1 + int(5);
  const names = [];
  const shuffled = structNames.slice().sort(() => rand() - 0.5);
  for (let k = 0; k < count; k++) names.push(shuffled[k]);
  const types = {};
  for (let k = count - 1; k >= 0; k--) {
    const fields = [];
    const nf = 1 + int(5);
    const refs = names.slice(k + 1);
    for (let f = 0; f < nf; f++) {
      let t;
      const r = int(10);
      if (refs.length && r < 3) t = pick(refs);
      else t = atomic();
      const a = int(10);
      if (a === 0) t += "[]";
      else if (a === 1) t += "[" + (1 + int(3)) + "]";
      else if (a === 2) t += "[][" + (1 + int(2)) + "]";
      else if (a === 3 && !refs.includes(t)) t += "[2][]";
      fields.push({ name: "f" + f + "_" + pick(["a", "b", "to", "amount", "data"]), type: t });
    }
    types[names[k]] = fields;
  }
  // make sure every non-root type is referenced (ethers requires one primary type)
  for (let k = 1; k < count; k++) {
    const used = names.slice(0, k).some((n) => types[n].some((f) => f.type.replace(/\[.*$/, "") === names[k]));
    if (!used) types[names[0]].push({ name: "ref" + k, type: names[k] });
  }
  return { types, primaryType: names[0] };
}
function genValue(type, types) {
  const m = type.match(/^(.*)\[(\d*)\]$/);
  if (m) {
    const n = m[2] === "" ? int(4) : parseInt(m[2]);
    return Array.from({ length: n }, () => genValue(m[1], types));
  }
  if (types[type]) {
    const o = {};
    for (const f of types[type]) o[f.name] = genValue(f.type, types);
    return o;
  }
  if (type.startsWith("uint")) {
    const v = randBig(parseInt(type.slice(4)));
    return int(3) === 0 && v < 2n ** 53n ? Number(v) : int(2) ? v.toString() : "0x" + v.toString(16);
  }
  if (type.startsWith("int")) {
    const v = randInt(parseInt(type.slice(3)));
    return int(3) === 0 && v < 2n ** 53n && v > -(2n ** 53n) ? Number(v) : v.toString();
  }
  if (type === "address") return int(2) ? randAddress() : randAddress().toLowerCase();
  if (type === "bool") return int(2) === 1;
  if (type === "bytes") return randBytes(int(80));
  if (type === "string") return randString();
  if (type.startsWith("bytes")) return randBytes(parseInt(type.slice(5)));
  throw new Error(type);
}
function genDomain(mask) {
  const d = {};
  if (mask & 1) d.name = pick(["Settlement Channels", "Ether Mail", "", "ünï"]);
  if (mask & 2) d.version = pick(["1", "2", "1.0.0"]);
  if (mask & 4) d.chainId = pick([1, 31337, 11155111, 137, "0x2a"]);
  if (mask & 8) d.verifyingContract = randAddress();
  if (mask & 16) d.salt = randBytes(32);
  return d;
}
const key = keccak256(toUtf8Bytes("settlement eip-712 vector key"));
const wallet = new Wallet(key);
const docs = [];
for (let i = 0; i < 256; i++) {
  const domain = genDomain(i % 32);
  const { types, primaryType } = genTypes();
  const message = genValue(primaryType, types);
  const eip712Domain = domainFields.filter((f) => domain[f.name] !== undefined);
  const typedData = { types: { EIP712Domain: eip712Domain, ...types }, primaryType, domain, message };
  const digest = TypedDataEncoder.hash(domain, types, message);
  const encodedType = TypedDataEncoder.from(types).encodeType(primaryType);
  docs.push({ typedData, encodedType, digest, signature: await wallet.signTypedData(domain, types, message) });
}
// The channel contract's own messages (docs/protocol.md): domain SettlementChannels/2 (contract v2: a close agreement has a deadline).
rand = prng(5);
const voucherTypes = { Voucher: [{ name: "channelId", type: "bytes32" }, { name: "cumulativeAmount", type: "uint256" }] };
const closeTypes = { CooperativeClose: [{ name: "channelId", type: "bytes32" }, { name: "payerToPayee", type: "uint256" }, { name: "payeeToPayer", type: "uint256" }, { name: "deadline", type: "uint256" }] };
const channelMessages = [];
for (let i = 0; i < 40; i++) {
  const domain = { name: "SettlementChannels", version: "2", chainId: pick([1, 31337, 11155111]).toString(), verifyingContract: randAddress() };
  const channelId = randBytes(32);
  if (i % 2 === 0) {
    const message = { channelId, cumulativeAmount: randBig(256).toString() };
    channelMessages.push({ kind: "Voucher", domain, message, digest: TypedDataEncoder.hash(domain, voucherTypes, message), signature: await wallet.signTypedData(domain, voucherTypes, message) });
  } else {
    const message = { channelId, payerToPayee: randBig(96).toString(), payeeToPayer: randBig(96).toString(), deadline: randBig(64).toString() };
    channelMessages.push({ kind: "CooperativeClose", domain, message, digest: TypedDataEncoder.hash(domain, closeTypes, message), signature: await wallet.signTypedData(domain, closeTypes, message) });
  }
}
writeFileSync(join(here, "eip712-ethers.json"), JSON.stringify({
  source: "Generated by tests/Ethereum.Tests/Vectors/generate-abi-eip712.mjs with ethers 6.17.0 (TypedDataEncoder.hash, TypedDataEncoder.encodeType, Wallet.signTypedData), PRNG seeds 712 and 5",
  privateKey: key, signer: wallet.address, documents: docs, channelMessages,
}, null, 1) + "\n");
console.log(`abi: ${encodeCases.length} encode, ${functionCases.length} functions, ${eventCases.length} events, ${revertCases.length} reverts; eip712: ${docs.length} documents, ${channelMessages.length} channel messages`);
