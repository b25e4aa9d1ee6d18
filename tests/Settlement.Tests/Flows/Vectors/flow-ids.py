#!/usr/bin/env python3
"""Expected values of FlowIdsTests and SettlementAccountsTests, computed from the derivation documented in
src/Settlement/Flows/FlowIds.cs and SettlementAccounts.cs with Python's hashlib (independent of the C# code):

  flow step digest = SHA-256(tag || flow id as 16 big-endian (RFC 9562) bytes || int32-be(len(utf8 text)) || utf8 text)
  ledger id        = the digest's first 16 bytes as a big-endian 128-bit integer (0 -> 1, 2^128-1 -> 2^128-2)
  guid id          = the digest's first 16 bytes with byte 6 = (b & 0x0F) | 0x80 (version 8) and
                     byte 8 = (b & 0x3F) | 0x80 (RFC variant), read as a big-endian GUID
  account id       = SHA-256("l2pay/settlement/account/v1" || uint32-be(ledger 1) || uint16-be(code)
                             || int32-be(len(utf8 key)) || utf8 key), first 16 bytes as above

Run: python3 flow-ids.py
"""
import hashlib
import struct
import uuid

A = uuid.UUID("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f")
EMPTY = uuid.UUID(int=0)


def digest(tag: str, flow: uuid.UUID, text: str) -> bytes:
    data = text.encode("utf-8")
    return hashlib.sha256(tag.encode("ascii") + flow.bytes + struct.pack(">i", len(data)) + data).digest()


def ledger_id(d: bytes) -> int:
    v = int.from_bytes(d[:16], "big")
    return 1 if v == 0 else (2**128 - 2 if v == 2**128 - 1 else v)


def guid(d: bytes) -> uuid.UUID:
    b = bytearray(d[:16])
    b[6] = (b[6] & 0x0F) | 0x80
    b[8] = (b[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(b))


def account(code: int, key: str) -> int:
    data = key.encode("utf-8")
    return ledger_id(hashlib.sha256(b"l2pay/settlement/account/v1" + struct.pack(">IH", 1, code) + struct.pack(">i", len(data)) + data).digest())


print("raw digest bytes 0..15 (LedgerTransfer A payable):", digest("l2pay/settlement/transfer/v1", A, "payable")[:16].hex())
print("LedgerTransfer(A, payable)  ", ledger_id(digest("l2pay/settlement/transfer/v1", A, "payable")))
print("LedgerTransfer(A, payout-post)", ledger_id(digest("l2pay/settlement/transfer/v1", A, "payout-post")))
print("raw BankOperation(A, bank-payout):", digest("l2pay/settlement/bank-operation/v1", A, "bank-payout")[:16].hex())
print("BankOperation(A, bank-payout)", guid(digest("l2pay/settlement/bank-operation/v1", A, "bank-payout")))
print("BankOperation(A, bank-topup) ", guid(digest("l2pay/settlement/bank-operation/v1", A, "bank-topup")))
print("PayoutBatch(638765000000000000)", guid(digest("l2pay/settlement/payout-batch/v1", EMPTY, "638765000000000000")))
print("PayoutFlow(A, merchant-1)     ", guid(digest("l2pay/settlement/payout-flow/v1", A, "merchant-1")))
print("Recharge(consent-1, key)      ", guid(digest("l2pay/settlement/recharge-flow/v1", EMPTY, "9:consent-1key")))
print("BankClearing      ", account(4, "platform"))
print("StablecoinReserve ", account(3, "stablecoin-reserve"))
print("Fees              ", account(6, "fees"))
print("UserFunds(alice)  ", account(1, "alice"))
print("MerchantPayable(alice)", account(2, "alice"))
print("MerchantPayable(£ü)", account(2, "\u00a3\u00fc"))

# The payout batch of the slot that holds FlowTestBase.T0 (2026-03-01T12:00Z, one-day interval) and its merchant-1 flow.
import datetime
slot = (datetime.datetime(2026, 3, 1) - datetime.datetime(1, 1, 1)).days * 864_000_000_000
batch = guid(digest("l2pay/settlement/payout-batch/v1", EMPTY, str(slot)))
flow = guid(digest("l2pay/settlement/payout-flow/v1", batch, "merchant-1"))
print("slot 2026-03-01 ticks", slot)
print("PayoutBatch(slot)   ", batch)
print("PayoutFlow(batch, merchant-1)", flow, "reference 'l2pay " + flow.hex[:8] + "'")
print("BankOperation(flow, bank-payout)", guid(digest("l2pay/settlement/bank-operation/v1", flow, "bank-payout")))
print("MerchantPayable(merchant-1)", account(2, "merchant-1"))
