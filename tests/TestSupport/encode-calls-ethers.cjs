// Encodes the calls, return values and custom errors of SettlementChannels with ethers 6.17.0 (an implementation
// independent of the generated Nethereum bindings), for the contract-client unit tests
// (tests/Channels.Tests/ContractClient). Regenerate the committed vector file with:
//   node tests/TestSupport/encode-calls-ethers.cjs > tests/Channels.Tests/ContractClient/Vectors/channel-calls-ethers.json
// The ABI is read from src/Channels/Generated/SettlementChannels.json. The inputs are fixed here and written into the
// output, so the tests read the same inputs they compare against. Addresses are EIP-55, bytes lower-case 0x-hex,
// integers decimal strings. `redeemBatch`'s packed bytes are built here with solidityPacked from the layout in
// docs/protocol.md ("Batch encoding"): uint32 challenge period, then per item payer | uint40 nonce | uint96 amount |
// r | vs, where vs is s with its top bit set when the recovery id is 1 (EIP-2098).
const { createRequire } = require("node:module");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "../..");
const { ethers } = createRequire(join(root, "contracts/package.json"))("ethers");
const artifact = JSON.parse(readFileSync(join(root, "src/Channels/Generated/SettlementChannels.json"), "utf8"));
const iface = new ethers.Interface(artifact.abi);
const coder = ethers.AbiCoder.defaultAbiCoder();

const contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const payer = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const payer2 = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const payee = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const token = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const funder = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const to = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const zero = ethers.ZeroAddress;

const channels = {
  eth: { payer, payee, token: zero, challengePeriod: 3600n, nonce: 77n },
  erc20: { payer, payee, token, challengePeriod: 86400n, nonce: 0x123456789an },
  // Two channels of one token and challenge period for redeemBatch; the second nonce is the largest of 40 bits.
  batch1: { payer, payee, token, challengePeriod: 604800n, nonce: 1n },
  batch2: { payer: payer2, payee, token, challengePeriod: 604800n, nonce: (1n << 40n) - 1n },
};

// Low-s signatures with recovery ids 0 (v 27) and 1 (v 28); they need not verify, only be encoded.
const sigs = {
  a: { r: "0x" + "11".repeat(32), s: "0x" + "2a".repeat(32), v: 27 },
  b: { r: "0x" + "c3".repeat(16) + "0f".repeat(16), s: "0x7f" + "5e".repeat(31), v: 28 },
  none: { r: "0x" + "00".repeat(32), s: "0x" + "00".repeat(32), v: 0 },
};

const amounts = {
  open: 1234567890123456789n,
  topUp: 987654321n,
  voucher: 500000000000000000n,
  max96: (1n << 96n) - 1n,
  batch1: 42n,
  payerToPayee: 700n,
  payeeToPayer: 300n,
  closeDeadline: 1900000123n,
  permitDeadline: 1900000000n,
};

const tuple = (c) => [c.payer, c.payee, c.token, c.challengePeriod, c.nonce];
const sig = (s) => [s.v, s.r, s.s];
const vs = (s) => {
  const v = ethers.toBigInt(s.s) | (s.v === 28 ? 1n << 255n : 0n);
  return ethers.toBeHex(v, 32);
};

const batch = ethers.solidityPacked(
  ["uint32", "address", "uint40", "uint96", "bytes32", "bytes32", "address", "uint40", "uint96", "bytes32", "bytes32"],
  [
    channels.batch1.challengePeriod,
    channels.batch1.payer, channels.batch1.nonce, amounts.batch1, sigs.a.r, vs(sigs.a),
    channels.batch2.payer, channels.batch2.nonce, amounts.max96, sigs.b.r, vs(sigs.b),
  ]);

const calls = [];
function call(name, fn, args, value) {
  calls.push({ name, function: fn, data: iface.encodeFunctionData(fn, args), value: value.toString() });
}

call("open eth", "open", [payer, payee, zero, channels.eth.challengePeriod, amounts.open], amounts.open);
call("open erc20", "open", [payer, payee, token, channels.erc20.challengePeriod, amounts.open], 0n);
call("openWithPermit", "openWithPermit", [payer, payee, token, channels.erc20.challengePeriod, amounts.open, amounts.permitDeadline, sig(sigs.b)], 0n);
call("topUp eth", "topUp", [tuple(channels.eth), amounts.topUp], amounts.topUp);
call("topUp erc20", "topUp", [tuple(channels.erc20), amounts.topUp], 0n);
call("topUpPayee eth", "topUpPayee", [tuple(channels.eth), amounts.topUp], amounts.topUp);
call("topUpPayee erc20", "topUpPayee", [tuple(channels.erc20), amounts.topUp], 0n);
call("redeem", "redeem", [tuple(channels.erc20), amounts.voucher, sig(sigs.a)], 0n);
call("redeem eth v28", "redeem", [tuple(channels.eth), amounts.voucher, sig(sigs.b)], 0n);
call("redeemBatch", "redeemBatch", [token, batch], 0n);
call("startClose", "startClose", [tuple(channels.erc20)], 0n);
call("startCloseWithVoucher", "startCloseWithVoucher", [tuple(channels.eth), amounts.voucher, sig(sigs.b)], 0n);
call("settle", "settle", [tuple(channels.eth)], 0n);
call("cooperativeClose both", "cooperativeClose",
  [tuple(channels.erc20), amounts.payerToPayee, amounts.payeeToPayer, amounts.closeDeadline, sig(sigs.a), sig(sigs.b)], 0n);
call("cooperativeClose payer only", "cooperativeClose",
  [tuple(channels.eth), amounts.payerToPayee, amounts.payeeToPayer, amounts.closeDeadline, sig(sigs.a), sig(sigs.none)], 0n);
call("withdrawOwed", "withdrawOwed", [token, to], 0n);

const channelId = (c) => ethers.keccak256(coder.encode(["address", "address", "address", "uint32", "uint64"], tuple(c)));

const state = { exists: true, payerDeposit: (1n << 200n) + 5n, redeemedByPayee: 123456789n, payeeDeposit: 1000n, redeemedByPayer: 999n, closeDeadline: (1n << 64n) - 1n };
const reads = {
  channelState: {
    channelId: channelId(channels.erc20),
    data: iface.encodeFunctionData("channelState", [channelId(channels.erc20)]),
    output: iface.encodeFunctionResult("channelState", [state.exists, state.payerDeposit, state.redeemedByPayee, state.payeeDeposit, state.redeemedByPayer, state.closeDeadline]),
    expected: Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.toString()])),
  },
  owed: {
    token, owner: funder,
    data: iface.encodeFunctionData("owed", [token, funder]),
    output: iface.encodeFunctionResult("owed", [(1n << 255n) + 1n]),
    expected: ((1n << 255n) + 1n).toString(),
  },
  domainSeparator: {
    data: iface.encodeFunctionData("DOMAIN_SEPARATOR", []),
    output: iface.encodeFunctionResult("DOMAIN_SEPARATOR", ["0x" + "ab".repeat(31) + "01"]),
    expected: "0x" + "ab".repeat(31) + "01",
  },
};

// Logs as the contract emits them (Interface.encodeEventLog): the open of the ERC-20 channel, a ChannelClosing of the
// ETH channel, one log of each other event, and a redeemBatch receipt's logs for three items (batch1 redeemed, batch2 skipped with reason 2, batch1
// again skipped with reason 1), BatchRedeemed carrying 37-byte items payer | uint40 nonce | uint96 amount.
const log = (name, args) => ({ name, ...iface.encodeEventLog(name, args) });
const events = {
  channelOpened: log("ChannelOpened", [channelId(channels.erc20), payer, payee, token, funder, channels.erc20.challengePeriod, channels.erc20.nonce, amounts.open]),
  channelClosing: log("ChannelClosing", [channelId(channels.eth), payer, payee, zero, payee, amounts.closeDeadline]),
  batchRedeemed: log("BatchRedeemed", [payee, token, channels.batch1.challengePeriod,
    ethers.solidityPacked(["address", "uint40", "uint96"], [channels.batch1.payer, channels.batch1.nonce, amounts.batch1])]),
  batchItemSkipped2: log("BatchItemSkipped", [channelId(channels.batch2), amounts.max96, 2]),
  batchItemSkipped1: log("BatchItemSkipped", [channelId(channels.batch1), amounts.batch1, 1]),
  channelToppedUp: log("ChannelToppedUp", [channelId(channels.eth), payer, payee, zero, funder, true, amounts.topUp, amounts.open + amounts.topUp]),
  voucherRedeemed: log("VoucherRedeemed", [channelId(channels.erc20), payer, payee, token, false, 77n, amounts.voucher]),
  channelSettled: log("ChannelSettled", [channelId(channels.erc20), payer, payee, token, true, amounts.payeeToPayer, amounts.payerToPayee]),
  payoutDeferred: log("PayoutDeferred", [channelId(channels.eth), to, zero, amounts.topUp]),
  owedWithdrawn: log("OwedWithdrawn", [funder, token, to, amounts.max96]),
};

const errorArgs = {
  ECDSAInvalidSignatureLength: [64n],
  ECDSAInvalidSignatureS: ["0x" + "ff".repeat(32)],
  SafeERC20FailedOperation: [token],
  StringTooLong: ["a string that is too long"],
};
const errors = iface.fragments.filter((f) => f.type === "error").map((f) => {
  const args = errorArgs[f.name] ?? [];
  if (args.length !== f.inputs.length) throw new Error(`no arguments chosen for error ${f.name}`);
  return {
    name: f.name,
    args: args.map((a) => (typeof a === "bigint" ? a.toString() : a)),
    data: iface.encodeErrorResult(f, args),
  };
});

const stringify = (value) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
console.log(stringify({
  source: `Generated by tests/TestSupport/encode-calls-ethers.cjs with ethers ${ethers.version} (Interface.encodeFunctionData, encodeFunctionResult, encodeErrorResult; solidityPacked for the batch) from src/Channels/Generated/SettlementChannels.json`,
  contract,
  inputs: { payer, payer2, payee, token, funder, to, channels, channelIds: Object.fromEntries(Object.entries(channels).map(([k, c]) => [k, channelId(c)])), signatures: sigs, amounts, batch },
  calls,
  reads,
  events,
  errors,
}));
