// Generates signed-transaction and RLP test vectors with ethers 6.17.0 (an independent implementation).
// Run from the repository root:  node tests/Ethereum.Tests/Vectors/generate-transactions.mjs
// Deterministic: a seeded PRNG drives every choice, so re-running reproduces the file byte for byte.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../../contracts/package.json"));
const ethers = require("ethers");
const SEED = 20261122;

// mulberry32
let state = SEED >>> 0;
function rnd() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (xs) => xs[int(xs.length)];
const bytes = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = int(256); return b; };
const hex = (n) => ethers.hexlify(bytes(n));
const bigBytes = (n) => n === 0 ? 0n : BigInteger(bytes(n));
function BigInteger(b) { return b.length === 0 ? 0n : BigInt(ethers.hexlify(b)); }
const MAX256 = (1n << 256n) - 1n;

function quantity(maxBytes) {
  switch (int(6)) {
    case 0: return 0n;
    case 1: return BigInt(int(1000));
    case 2: return MAX256 >> BigInt(256 - 8 * maxBytes);
    default: return bigBytes(1 + int(maxBytes));
  }
}
function u64() {
  switch (int(5)) {
    case 0: return 0n;
    case 1: return BigInt(int(100000));
    case 2: return (1n << 63n) - 1n;
    default: return bigBytes(1 + int(7));
  }
}
function nonce() {
  // ethers keeps nonces as JS numbers: up to 2^53 - 1.
  switch (int(4)) {
    case 0: return 0;
    case 1: return int(1000);
    case 2: return Number.MAX_SAFE_INTEGER;
    default: return int(2 ** 31);
  }
}
function data() {
  switch (int(5)) {
    case 0: return "0x";
    case 1: return hex(1 + int(4));
    case 2: return hex(55 + int(3));
    default: return hex(int(400));
  }
}
function accessList() {
  if (int(3) === 0) return [];
  const list = [];
  for (let i = 0, n = 1 + int(3); i < n; i++) {
    const keys = [];
    for (let j = 0, m = int(4); j < m; j++) keys.push(hex(32));
    list.push({ address: ethers.getAddress(hex(20)), storageKeys: keys });
  }
  return list;
}
function chainId() {
  return BigInt(pick([1, 5, 10, 137, 8453, 31337, 11155111, 1 + int(2 ** 31), 1 + int(2 ** 48)]));
}
function privateKey() {
  for (;;) {
    const k = hex(32);
    const n = BigInt(k);
    if (n > 0n && n < ethers.N) return k;
  }
}
const str = (v) => v === null || v === undefined ? null : v.toString();

function makeTx(kind) {
  const key = privateKey();
  const wallet = new ethers.Wallet(key);
  const to = int(7) === 0 ? null : ethers.getAddress(hex(20));
  const fields = { nonce: nonce(), gasLimit: u64(), to, value: quantity(32), data: data() };
  if (kind === "eip1559") {
    const maxFee = quantity(32);
    const tip = maxFee === 0n ? 0n : (int(3) === 0 ? maxFee : BigInt.asUintN(256, BigInt(ethers.hexlify(bytes(32))) % (maxFee + 1n)));
    Object.assign(fields, { type: 2, chainId: chainId(), maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, accessList: accessList() });
  } else {
    Object.assign(fields, { type: 0, chainId: kind === "legacy-pre155" ? 0n : chainId(), gasPrice: quantity(32) });
  }
  const tx = ethers.Transaction.from(fields);
  const unsignedHash = tx.unsignedHash;
  tx.signature = wallet.signingKey.sign(unsignedHash);
  const out = {
    kind,
    privateKey: key,
    tx: {
      type: fields.type,
      chainId: kind === "legacy-pre155" ? null : str(fields.chainId),
      nonce: str(fields.nonce),
      to: fields.to,
      value: str(fields.value),
      data: fields.data,
      gas: str(fields.gasLimit),
      ...(kind === "eip1559"
        ? { maxFeePerGas: str(fields.maxFeePerGas), maxPriorityFeePerGas: str(fields.maxPriorityFeePerGas), accessList: fields.accessList }
        : { gasPrice: str(fields.gasPrice) }),
    },
    signingHash: unsignedHash,
    unsigned: tx.unsignedSerialized,
    raw: tx.serialized,
    hash: tx.hash,
    from: tx.from,
    v: str(tx.signature.v),
    yParity: tx.signature.yParity,
    r: tx.signature.r,
    s: tx.signature.s,
  };
  // Round trip through ethers' own parser as a sanity check of the generator.
  const back = ethers.Transaction.from(out.raw);
  if (back.hash !== out.hash || back.from !== out.from) throw new Error("ethers round trip failed");
  return out;
}

function rlpValue(depth) {
  if (depth > 3 || int(3) !== 0) {
    switch (int(6)) {
      case 0: return "0x";
      case 1: return ethers.hexlify(new Uint8Array([int(128)]));
      case 2: return ethers.hexlify(new Uint8Array([128 + int(128)]));
      case 3: return hex(55 + int(3));
      case 4: return hex(int(300));
      default: return hex(1 + int(20));
    }
  }
  const items = [];
  for (let i = 0, n = int(depth === 0 ? 8 : 5); i < n; i++) items.push(rlpValue(depth + 1));
  if (int(8) === 0) for (let i = 0; i < 20; i++) items.push(hex(4));
  return items;
}

const transactions = [];
for (let i = 0; i < 150; i++) transactions.push(makeTx("eip1559"));
for (let i = 0; i < 100; i++) transactions.push(makeTx("legacy-eip155"));
for (let i = 0; i < 30; i++) transactions.push(makeTx("legacy-pre155"));

const rlp = [];
for (let i = 0; i < 200; i++) {
  const value = rlpValue(0);
  const encoded = ethers.encodeRlp(value);
  const decoded = ethers.decodeRlp(encoded);
  if (JSON.stringify(decoded) !== JSON.stringify(value)) throw new Error("ethers RLP round trip failed");
  rlp.push({ value, encoded });
}

const file = {
  source: `Generated by tests/Ethereum.Tests/Vectors/generate-transactions.mjs with ethers ${ethers.version} (Transaction.from, SigningKey.sign, Transaction.serialized/hash/unsignedHash, encodeRlp), PRNG seed ${SEED}`,
  transactions,
  rlp,
};
writeFileSync(join(here, "transactions-ethers.json"), JSON.stringify(file, null, 1) + "\n");
console.log(`wrote ${transactions.length} transactions, ${rlp.length} RLP cases`);
