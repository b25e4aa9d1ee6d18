// Measures the channel contract's gas on a fresh Anvil and writes docs/gas.md.
// Usage: node contracts/gas-report.mjs   (starts and stops its own Anvil on a free port)
// Every figure is a transaction's gasUsed in steady state: the token contract, the channel contract and
// the recipients already hold balances (no first-time 0 -> non-zero balance slot), as in the published anchors.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const artifact = (dir, name) => JSON.parse(fs.readFileSync(path.join(repo, dir, `${name}.json`), 'utf8'));
const Channels = artifact('src/Channels/Generated', 'SettlementChannels');
const Stablecoin = artifact('src/Channels/Generated', 'TestStablecoin');

const port = await new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const anvil = spawn(path.join(here, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil'),
  ['--port', String(port), '--silent'], { stdio: 'ignore' });
process.on('exit', () => anvil.kill());

for (let i = 0; ; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' }).then(() => true, () => false);
  if (ok) break;
  if (i > 200) throw new Error('anvil did not start');
  await new Promise((r) => setTimeout(r, 50));
}
const provider = new ethers.JsonRpcProvider(`http://127.0.0.1:${port}`, undefined, { batchMaxCount: 1, staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 });
const mnemonic = 'test test test test test test test test test test test junk';
const wallet = (i) => {
  const w = ethers.HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
  return Object.assign(new ethers.NonceManager(w), { address: w.address });
};
const [platform, payer, payee, other] = [0, 1, 2, 3].map(wallet);
const chainId = BigInt(await provider.send('eth_chainId', []));

async function deploy(a, signer, ...args) {
  const c = await new ethers.ContractFactory(a.abi, a.bytecode, signer).deploy(...args);
  await c.waitForDeployment();
  return c;
}
const gasOf = async (txPromise) => Number((await (await txPromise).wait()).gasUsed);

const channels = await deploy(Channels, platform);
const token = await deploy(Stablecoin, platform, platform.address);
const ch = (s) => channels.connect(s);
const tok = (s) => token.connect(s);
const domain = { name: 'SettlementChannels', version: '2', chainId, verifyingContract: await channels.getAddress() };
const voucherTypes = { Voucher: [{ name: 'channelId', type: 'bytes32' }, { name: 'cumulativeAmount', type: 'uint256' }] };
const closeTypes = { CooperativeClose: [{ name: 'channelId', type: 'bytes32' }, { name: 'payerToPayee', type: 'uint256' }, { name: 'payeeToPayer', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] };
const sig = (hex) => { const s = ethers.Signature.from(hex); return { v: s.v, r: s.r, s: s.s }; };
const voucher = async (signer, id, amount) => sig(await signer.signTypedData(domain, voucherTypes, { channelId: id, cumulativeAmount: amount }));
const ZERO_SIG = { v: 0, r: ethers.ZeroHash, s: ethers.ZeroHash };
const tokenAddr = await token.getAddress();
const PERIOD = 3600;

for (const w of [payer, payee, other]) await (await tok(platform).mint(w.address, 10n ** 15n)).wait();
await (await tok(platform).mint(platform.address, 10n ** 15n)).wait();

// Opens an ERC-20 channel payer -> payee (funder = signer) and returns its Channel tuple and id.
async function openErc20(funder, amount, payerAddr = payer.address, payeeAddr = payee.address) {
  await (await tok(funder).approve(await channels.getAddress(), amount)).wait();
  const receipt = await (await ch(funder).open(payerAddr, payeeAddr, tokenAddr, PERIOD, amount)).wait();
  const ev = receipt.logs.map((l) => channels.interface.parseLog(l)).find((e) => e?.name === 'ChannelOpened');
  return { gas: Number(receipt.gasUsed), id: ev.args.channelId, c: [payerAddr, payeeAddr, tokenAddr, PERIOD, ev.args.nonce] };
}

const rows = [];
const row = (what, gas, anchor, target) => rows.push({ what, gas, anchor, target });

// Warm-up: the channel contract holds tokens already (steady state).
await openErc20(payer, 1_000_000n);
const open1 = await openErc20(payer, 5_000_000n);
row('ERC-20 open with deposit (`open`, approve excluded)', open1.gas, 'µRaiden 120,090 (+approve); Raiden openChannelWithDeposit 146,956; go-nitro deposit 69,866', '≤ 70,000');
const openBehalf = await openErc20(platform, 5_000_000n, other.address, payee.address);
row('ERC-20 open on behalf of a user (platform funds)', openBehalf.gas, '—', '');
const ethOpen = await gasOf(ch(payer).open(payer.address, payee.address, ethers.ZeroAddress, PERIOD, 10n ** 16n, { value: 10n ** 16n }));
row('ETH open with deposit', ethOpen, '—', '');

// Permit: user signs a permit, one transaction opens.
{
  const amount = 2_000_000n;
  const deadline = BigInt((await provider.getBlock('latest')).timestamp) + 3600n;
  const nonce = await token.nonces(payer.address);
  const permitSig = sig(await payer.signTypedData(
    { name: 'Settlement Test Pound', version: '1', chainId, verifyingContract: tokenAddr },
    { Permit: [{ name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] },
    { owner: payer.address, spender: await channels.getAddress(), value: amount, nonce, deadline }));
  row('ERC-20 open with EIP-2612 permit (one transaction, no approve)', await gasOf(ch(payer).openWithPermit(payer.address, payee.address, tokenAddr, PERIOD, amount, deadline, permitSig)), '—', '');
}

await (await tok(payer).approve(await channels.getAddress(), 1_000_000n)).wait();
row('ERC-20 top-up (approve excluded)', await gasOf(ch(payer).topUp(open1.c, 1_000_000n)), 'µRaiden 85,414', '');

row('Redeem voucher (partial withdraw, stream continues)', await gasOf(ch(payee).redeem(open1.c, 1_000_000n, await voucher(payer, open1.id, 1_000_000n))), '—', '');
row('Redeem newer voucher, same channel', await gasOf(ch(payee).redeem(open1.c, 1_500_000n, await voucher(payer, open1.id, 1_500_000n))), '—', '');

// Bidirectional: the payee deposits too and is paid back by the payer with its own voucher. The one-direction
// rows above never touch this second slot.
{
  const o = await openErc20(payer, 5_000_000n);
  await (await tok(payee).approve(await channels.getAddress(), 1_000_000n)).wait();
  row('Payee top-up (enables payee → payer payments; approve excluded)', await gasOf(ch(payee).topUpPayee(o.c, 1_000_000n)), '—', '');
  row('Redeem payee → payer voucher (bidirectional)', await gasOf(ch(payer).redeem(o.c, 400_000n, await voucher(payee, o.id, 400_000n))), '—', '');
}

// Cooperative close: the payee sends it with the payer's signature over the final state.
{
  const o = await openErc20(payer, 5_000_000n);
  const deadline = BigInt((await provider.getBlock('latest')).timestamp) + 3600n;
  const s = sig(await payer.signTypedData(domain, closeTypes, { channelId: o.id, payerToPayee: 3_000_000n, payeeToPayer: 0n, deadline }));
  row('Cooperative close (payee sends, payer signed; both paid)', await gasOf(ch(payee).cooperativeClose(o.c, 3_000_000n, 0n, deadline, s, ZERO_SIG)), 'µRaiden 71,182; Raiden cooperativeSettle 112,270; go-nitro happy-path exit 111,514', '≤ 60,000');
}
{
  const o = await openErc20(payer, 5_000_000n);
  const deadline = BigInt((await provider.getBlock('latest')).timestamp) + 3600n;
  const s = sig(await payer.signTypedData(domain, closeTypes, { channelId: o.id, payerToPayee: 3_000_000n, payeeToPayer: 0n, deadline }));
  const t = sig(await payee.signTypedData(domain, closeTypes, { channelId: o.id, payerToPayee: 3_000_000n, payeeToPayer: 0n, deadline }));
  row('Cooperative close by a third party (both signatures checked)', await gasOf(ch(other).cooperativeClose(o.c, 3_000_000n, 0n, deadline, s, t)), '—', '');
}

// Unilateral close by the payee with its newest voucher, then settle after the window.
{
  const o = await openErc20(payer, 5_000_000n);
  const g = await gasOf(ch(payee).startCloseWithVoucher(o.c, 2_000_000n, await voucher(payer, o.id, 2_000_000n)));
  row('Unilateral close by payee with newest voucher (`startCloseWithVoucher`, pays it)', g, '—', '≤ 60,000');
  const o2 = await openErc20(payer, 5_000_000n);
  row('Unilateral close by payer (`startClose`)', await gasOf(ch(payer).startClose(o2.c)), '—', '≤ 60,000');
  row('Challenge: payee redeems newer voucher while closing', await gasOf(ch(payee).redeem(o2.c, 1_000_000n, await voucher(payer, o2.id, 1_000_000n))), '—', '');
  await provider.send('evm_increaseTime', [PERIOD + 1]);
  await provider.send('evm_mine', []);
  row('Settle after the challenge period (refund payer)', await gasOf(ch(other).settle(o.c)), '—', '');
}

// Batch redeem: 1 channel vs 11 channels.
async function batch(n) {
  const items = [];
  for (let i = 0; i < n; i++) {
    const o = await openErc20(payer, 5_000_000n);
    await (await ch(payee).redeem(o.c, 1n, await voucher(payer, o.id, 1n))).wait(); // steady state: slot already has a redeemed total
    const v = ethers.Signature.from(await payer.signTypedData(domain, voucherTypes, { channelId: o.id, cumulativeAmount: 1_000_000n }));
    // Packed item (docs/protocol.md): payer | uint40 nonce | uint96 cumulativeAmount | r | vs (EIP-2098).
    items.push(ethers.solidityPacked(['address', 'uint40', 'uint96', 'bytes32', 'bytes32'], [payer.address, o.c[4], 1_000_000n, v.r, v.yParityAndS]));
  }
  // The batch starts with the challenge period its channels share.
  return gasOf(ch(payee).redeemBatch(tokenAddr, ethers.concat([ethers.solidityPacked(['uint32'], [PERIOD]), ...items])));
}
const b1 = await batch(1);
const b11 = await batch(11);
row('Batch redeem, 1 channel', b1, '—', '');
row('Batch redeem, 11 channels', b11, '—', '');
row('Batch redeem, per extra channel ((11 − 1) / 10)', Math.round((b11 - b1) / 10), 'Raiden bulkClaim ≈ 11,700 per extra IOU', '≤ 10,500');

const fmt = (n) => n.toLocaleString('en-US');
const lines = [
  '# Gas of the channel contract',
  '',
  'Generated by `node contracts/gas-report.mjs` (do not edit by hand): a fresh Anvil, the committed',
  '`src/Channels/Generated/SettlementChannels.json` (solc 0.8.28, via-IR, optimizer 1,000,000 runs, cancun) and the',
  '6-decimal `TestStablecoin`. Each figure is one transaction\'s `gasUsed` (21,000 base included), steady state:',
  'token balances of the channel contract and of the recipients are already non-zero, as in the published anchors.',
  '',
  '| operation | gas | anchor (published) | target |',
  '|---|---:|---|---|',
  ...rows.map((r) => `| ${r.what} | ${fmt(r.gas)} | ${r.anchor} | ${r.target}${r.target ? (Number(r.target.replace(/[^0-9]/g, '')) >= r.gas ? ' ✔' : ' ✘') : ''} |`),
  '',
  '## Where the gas goes',
  '',
  '- One storage slot per channel (payer deposit, payer → payee redeemed, close deadline, flags; 96-bit amounts),',
  '  at the storage slot numbered by the channel id (no mapping hash). The parameters (payer, payee, token,',
  '  challenge period, nonce) are hashed into the channel id and passed back in calldata, never stored. A second',
  '  slot is written only if the payee deposits, so one-direction streaming pays nothing for bidirectional support.',
  '- Open = 21,000 + the token\'s transferFrom (~25,000 with an exact approve) + one new slot (22,100, its cold',
  '  read also serving the `ChannelExists` check) + event; fee-on-transfer support (balance before/after) costs',
  '  ~2,000 of it. v2 dropped the `nextNonce` counter (a cold read and a write, ~5,000): the nonce is the opening',
  '  block\'s number (72,142 in v1).',
  '- Cooperative close, sent by a party: one ecrecover (the sender\'s own consent is the transaction); the slot is',
  '  cleared (refund). Sent by a third party, both signatures are checked (second row). v2\'s deadline costs a',
  '  calldata word, a word of the struct hash and two comparisons (~300; 57,079 in v1).',
  '- Batch redeem, per extra channel, measured with an opcode trace (batches of 1 and 11 items, difference / 10): the',
  '  channel slot (cold read 2,100 + write 2,900), ecrecover (3,000 + 100 for the call), the 101-byte packed item\'s',
  '  calldata (~1,470: payer, 40-bit nonce, 96-bit amount, EIP-2098 r‖vs signature), its 37 bytes in the one',
  '  `BatchRedeemed` log (~300), three keccak256 (channel id, voucher struct, EIP-712 digest: 156) and ~480 for decoding,',
  '  checks, memory and the loop. The challenge period is sent and logged once per batch (a batch holds channels of one',
  '  challenge period) and the nonce (the opening block\'s number) in 40 bits: together ~100 per item. The loop is',
  '  hand-written assembly over calldata at constant memory addresses (the free memory pointer is 0x80 there, checked at',
  '  run time), with one branch per item when all is well (signature, amount within the deposit and above the redeemed',
  '  total, challenge period); the rarer outcomes are decided in a separate function that reads the item again.',
  '  OpenZeppelin\'s compact-signature rules (low s, a recovery) are kept, with its errors. v1 spent 1,381 on a log per',
  '  item and 42 on the mapping hash (11,987); the first v2 layout (108-byte items, 44 logged bytes) 10,793. Skipped',
  '  items emit `BatchItemSkipped` (not measured here). No EIP-2930 access list is sent (it would save ~100 per item:',
  '  1,900 per listed slot against a cold read\'s extra 2,000); every figure here is a plain type-2 transaction. Every',
  '  channel state remains recoverable from logs: a `BatchRedeemed` item with the payee and token topics and the',
  '  challenge period gives the channel id and its new total.',
  '',
];
fs.writeFileSync(path.join(repo, 'docs/gas.md'), lines.join('\n'));
console.log(lines.join('\n'));
anvil.kill();
process.exit(0);
