// Produces signing.json: secp256k1 signatures made by ethers.js (SigningKey, which uses
// @noble/curves with RFC 6979 nonces and low-s). Run from the repository root after
// `cd contracts && npm install`:
//   node tests/Ethereum.Tests/Vectors/generate-signing.mjs
// Keys and hashes are derived deterministically from a counter, so a rerun gives the same file.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../../contracts/package.json"));
const { SigningKey, computeAddress, keccak256, toUtf8Bytes, zeroPadValue, toBeHex, version } = require("ethers");

const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex32 = (x) => zeroPadValue(toBeHex(x), 32);

const keys = [hex32(1n), hex32(2n), hex32(n - 1n), hex32(n - 2n), hex32(n / 2n), hex32(0xffffffffn)];
const hashes = [hex32(0n), hex32(1n), hex32(n), hex32(n + 1n), hex32((1n << 256n) - 1n), hex32(n - 1n)];

const cases = [];
const push = (privateKey, hash) => {
  const key = new SigningKey(privateKey);
  const sig = key.sign(hash);
  cases.push({
    privateKey,
    hash,
    r: sig.r,
    s: sig.s,
    v: sig.v,
    address: computeAddress(privateKey),
    publicKey: key.publicKey,
  });
};

// Edge keys against edge hashes (hash = 0, hashes >= n that RFC 6979 reduces, all ones).
for (const k of keys) {
  for (const h of hashes) push(k, h);
}

// Pseudo-random keys and hashes from a counter.
for (let i = 0; cases.length < 300; i++) {
  const k = BigInt(keccak256(toUtf8Bytes(`settlement signing key ${i}`))) % (n - 1n) + 1n;
  const h = keccak256(toUtf8Bytes(`settlement signing message ${i}`));
  push(hex32(k), h);
}

function BigInteger(hex) { return BigInt(hex); }

const out = {
  source: `ethers ${version} SigningKey.sign / computeAddress, produced by tests/Ethereum.Tests/Vectors/generate-signing.mjs`,
  cases,
};
writeFileSync(join(here, "signing.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${cases.length} cases`);
