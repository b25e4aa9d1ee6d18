// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title SettlementChannels
/// @notice Payment channels payer -> payee in ETH or any ERC-20, with EIP-712 vouchers carrying a cumulative
/// amount per direction, partial and batch redemption, cooperative close and unilateral close with a bounded,
/// per-channel challenge period. See docs/protocol.md.
/// @dev Storage per channel is one slot (two when the payee side is used). The immutable parameters
/// (payer, payee, token, challenge period, nonce) are not stored: the channel id is their hash and callers pass
/// them back in calldata. The nonce is the number of the opening block; a second open with the same parameters in
/// that block reverts (`ChannelExists`) and a channel cannot be closed in its opening block, so an id is never reused.
/// Version 2 (EIP-712 domain version "2"): close agreements carry a deadline, `redeemBatch` skips items that
/// cannot be paid any more instead of reverting, the nonce counter is gone (docs/protocol.md, "Version 2").
contract SettlementChannels is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The immutable parameters of a channel; `keccak256(abi.encode(...))` of them is the channel id.
    struct Channel {
        address payer;
        address payee;
        address token;
        uint32 challengePeriod;
        uint64 nonce;
    }

    /// @notice A secp256k1 signature (v = 27 or 28, s in the lower half order).
    struct Signature {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice EIP-712 type of a voucher: the signer has paid `cumulativeAmount` in total to the other party.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint256 cumulativeAmount)");

    /// @notice EIP-712 type of the final state both parties sign for a cooperative close.
    bytes32 public constant COOPERATIVE_CLOSE_TYPEHASH =
        keccak256("CooperativeClose(bytes32 channelId,uint256 payerToPayee,uint256 payeeToPayer,uint256 deadline)");

    /// @notice Shortest challenge period a channel may choose, in seconds.
    uint32 public constant MIN_CHALLENGE_PERIOD = 1 hours;
    /// @notice Longest challenge period a channel may choose, in seconds.
    uint32 public constant MAX_CHALLENGE_PERIOD = 30 days;
    /// @notice Largest deposit per side of a channel (amounts are packed in 96 bits).
    uint256 public constant MAX_AMOUNT = type(uint96).max;
    /// @notice Gas forwarded when pushing ETH; a recipient that needs more (or reverts) is paid through `owed`.
    uint256 public constant ETH_PUSH_GAS = 30_000;

    // Main slot of a channel: payer deposit | payer->payee redeemed | close deadline | flags.
    uint256 private constant _AMOUNT_MASK = (1 << 96) - 1;
    uint256 private constant _PAID_SHIFT = 96;
    uint256 private constant _DEADLINE_SHIFT = 192;
    uint256 private constant _DEADLINE_MASK = (1 << 40) - 1;
    uint256 private constant _EXISTS = 1 << 232;
    uint256 private constant _PAYEE_SIDE = 1 << 233;
    // EIP-2098 compact signatures: vs = v bit (top) | s; s must not exceed half the secp256k1 order.
    bytes32 private constant _LOW_255_BITS = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
    // Size in bytes of one item of `redeemBatch`'s packed batch (see `redeemBatch`).
    uint256 private constant _BATCH_ITEM_SIZE = 101;
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    // Reasons of `BatchItemSkipped`.
    uint8 private constant _SKIP_ALREADY_REDEEMED = 1;
    uint8 private constant _SKIP_CHANNEL_NOT_FOUND = 2;
    uint8 private constant _SKIP_CHALLENGE_PERIOD_OVER = 3;
    // Literals for `redeemBatch`'s assembly (fewer live stack values in its loop); the constructor checks them.
    bytes32 private constant _BATCH_REDEEMED_TOPIC = 0xe7f793038ad96cb10274a1ef64280c92c8d4f89142c64049d7f17d82e0b1d1f5;
    bytes32 private constant _BATCH_ITEM_SKIPPED_TOPIC =
        0xdba76c9e0504f66f58853b2c1f03b7abbad02704ff368cc8575e762e5ef845cc;
    uint256 private constant _ERR_INVALID_SIGNATURE_S = 0xd78bce0c;
    uint256 private constant _ERR_INVALID_SIGNATURE = 0xf645eedf;
    uint256 private constant _ERR_INVALID_SIGNER = 0x815e1d64;
    uint256 private constant _ERR_AMOUNT_EXCEEDS_DEPOSIT = 0xbd0d7138;

    // The main slot of a channel is the storage slot numbered by its id (`_getMain`/`_setMain`): an id is a keccak256
    // output of 160 bytes, which meets neither the compiler's numbered slots nor a mapping's keccak256 slots, and it
    // saves the mapping's hash on every access.
    // Second slot, written only when the payee deposits: payee deposit | payee->payer redeemed.
    mapping(bytes32 channelId => uint256) private _payeeSide;

    /// @notice Payouts that could not be pushed (recipient reverted), claimable with `withdrawOwed`.
    mapping(address token => mapping(address owner => uint256)) public owed;

    /// @notice A channel was opened; `funder` paid the deposit (the payer, or a platform opening on its behalf).
    event ChannelOpened(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        address funder,
        uint32 challengePeriod,
        uint64 nonce,
        uint256 deposit
    );

    /// @notice A side's deposit grew by `amount` (actually received) to `deposit`.
    event ChannelToppedUp(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        address funder,
        bool payeeSide,
        uint256 amount,
        uint256 deposit
    );

    /// @notice A voucher was redeemed: `amount` moved to the receiving side, whose cumulative total is now
    /// `cumulativeAmount`. `payerToPayee` tells the direction.
    event VoucherRedeemed(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        bool payerToPayee,
        uint256 amount,
        uint256 cumulativeAmount
    );

    /// @notice `redeemBatch` redeemed payer -> payee vouchers of `payee`'s `token` channels with `challengePeriod`.
    /// `items` packs, per redeemed item in batch order, 37 bytes: the item's first 37 bytes as sent: payer (20) and
    /// nonce (5, uint40), which with `payee`, `token` and `challengePeriod` give the channel id, and the payee's new
    /// cumulative total in the channel (uint96, 12 bytes). The amount paid is that total minus the previous one.
    event BatchRedeemed(address indexed payee, address indexed token, uint32 challengePeriod, bytes items);

    /// @notice `redeemBatch` skipped an item (validly signed) that can no longer be paid: `reason` 1 = the channel
    /// is already redeemed at or beyond `cumulativeAmount`, 2 = the channel does not exist (settled), 3 = its
    /// challenge period is over.
    event BatchItemSkipped(bytes32 indexed channelId, uint256 cumulativeAmount, uint8 reason);

    /// @notice A unilateral close started; vouchers can be redeemed until `deadline` (inclusive), then `settle`.
    event ChannelClosing(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        address closer,
        uint64 deadline
    );

    /// @notice The channel ended and its remaining escrow was paid out; the channel's storage is deleted.
    event ChannelSettled(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        bool cooperative,
        uint256 toPayer,
        uint256 toPayee
    );

    /// @notice A push payout failed and was credited to `owed[token][to]` instead.
    event PayoutDeferred(bytes32 indexed channelId, address indexed to, address indexed token, uint256 amount);

    /// @notice `owner` took `amount` of its owed payouts, sent to `to`.
    event OwedWithdrawn(address indexed owner, address indexed token, address to, uint256 amount);

    error InvalidParticipants();
    error InvalidChallengePeriod();
    error WrongEthValue();
    error AmountTooLarge();
    error ChannelNotFound();
    error ChannelClosingAlready();
    error ChannelNotClosing();
    error ChallengePeriodOver();
    error ChallengePeriodActive();
    error InvalidSigner();
    error VoucherNotNewer();
    error AmountExceedsDeposit();
    error InvalidFinalState();
    error NotParticipant();
    error NothingOwed();
    error EthTransferFailed();
    error MalformedBatch();
    error ChannelExists();
    error CloseAgreementExpired();
    error CloseInOpeningBlock();

    constructor() EIP712("SettlementChannels", "2") {
        assert(_BATCH_REDEEMED_TOPIC == BatchRedeemed.selector);
        assert(_BATCH_ITEM_SKIPPED_TOPIC == BatchItemSkipped.selector);
        assert(bytes4(uint32(_ERR_INVALID_SIGNATURE_S)) == ECDSA.ECDSAInvalidSignatureS.selector);
        assert(bytes4(uint32(_ERR_INVALID_SIGNATURE)) == ECDSA.ECDSAInvalidSignature.selector);
        assert(bytes4(uint32(_ERR_INVALID_SIGNER)) == InvalidSigner.selector);
        assert(bytes4(uint32(_ERR_AMOUNT_EXCEEDS_DEPOSIT)) == AmountExceedsDeposit.selector);
    }

    // ------------------------------------------------------------------ open and top up

    /// @notice Opens a channel `payer` -> `payee` funded by msg.sender with `amount` of `token`
    /// (address(0) = ETH, sent as msg.value). The deposit credited is the amount actually received.
    function open(address payer, address payee, address token, uint32 challengePeriod, uint256 amount)
        external
        payable
        nonReentrant
        returns (bytes32 channelId)
    {
        return _open(payer, payee, token, challengePeriod, amount);
    }

    /// @notice Like `open`, with an EIP-2612 permit by msg.sender for this contract, so one transaction does it.
    /// A permit that fails (e.g. already used by a front-runner) is ignored; the transfer then needs an allowance.
    function openWithPermit(
        address payer,
        address payee,
        address token,
        uint32 challengePeriod,
        uint256 amount,
        uint256 permitDeadline,
        Signature calldata permit
    ) external nonReentrant returns (bytes32 channelId) {
        try IERC20Permit(token).permit(msg.sender, address(this), amount, permitDeadline, permit.v, permit.r, permit.s) {}
            catch {}
        return _open(payer, payee, token, challengePeriod, amount);
    }

    /// @notice Adds to the payer's deposit of an open channel (anyone may pay).
    function topUp(Channel calldata c, uint256 amount) external payable nonReentrant {
        bytes32 id = channelIdOf(c);
        uint256 main = _getMain(id);
        _requireOpen(main);
        uint256 received = _pullIn(c.token, amount);
        uint256 deposit = (main & _AMOUNT_MASK) + received;
        if (deposit > MAX_AMOUNT) revert AmountTooLarge();
        _setMain(id, (main & ~_AMOUNT_MASK) | deposit);
        emit ChannelToppedUp(id, c.payer, c.payee, c.token, msg.sender, false, received, deposit);
    }

    /// @notice Adds to the payee's deposit, so the payee can pay the payer in the same channel.
    function topUpPayee(Channel calldata c, uint256 amount) external payable nonReentrant {
        bytes32 id = channelIdOf(c);
        uint256 main = _getMain(id);
        _requireOpen(main);
        uint256 received = _pullIn(c.token, amount);
        uint256 side = _payeeSide[id];
        uint256 deposit = (side & _AMOUNT_MASK) + received;
        if (deposit > MAX_AMOUNT) revert AmountTooLarge();
        _payeeSide[id] = (side & ~_AMOUNT_MASK) | deposit;
        if (main & _PAYEE_SIDE == 0) _setMain(id, main | _PAYEE_SIDE);
        emit ChannelToppedUp(id, c.payer, c.payee, c.token, msg.sender, true, received, deposit);
    }

    // ------------------------------------------------------------------ redeem (partial withdraw, challenge)

    /// @notice Redeems a voucher: pays the receiving side the difference between `cumulativeAmount` and what
    /// was redeemed before in that direction. The signer decides the direction (payer's voucher pays the payee,
    /// payee's voucher pays the payer). Anyone may submit it (e.g. a watchtower); while the channel is closing
    /// this is the challenge.
    function redeem(Channel calldata c, uint256 cumulativeAmount, Signature calldata sig) external nonReentrant {
        bytes32 id = channelIdOf(c);
        _redeem(id, c, cumulativeAmount, sig, _getMain(id));
    }

    /// @notice The payee (msg.sender) redeems payer vouchers of many `token` channels; paid in one transfer.
    /// `batch` is the challenge period the batch's channels share (4 bytes, uint32) followed by 101-byte items, each
    /// (big-endian, no padding): payer (20 bytes) | nonce (5, uint40: the opening block's number, below 2^40 on any
    /// chain for millennia) | cumulativeAmount (12, uint96) | r (32) | vs (32),
    /// where r and vs are the EIP-2098 compact form of the payer's voucher signature (vs = s with the top bit
    /// set when v = 28). Every signature is checked first: a bad one (wrong signer, s above half the order, no
    /// recovery) reverts the whole batch, as do an amount above the deposit and a batch without items or whose
    /// length is not 4 plus a multiple of the item size. A validly signed item that can no longer be paid (channel
    /// already redeemed at or beyond its amount, settled, or past its challenge period) is skipped with
    /// `BatchItemSkipped`, so a third party redeeming one item first cannot make the batch revert. An item of a channel
    /// with another challenge period names another channel id, so its signature does not match (`InvalidSigner`).
    /// The redeemed items are reported by one `BatchRedeemed` event.
    function redeemBatch(address token, bytes calldata batch) external nonReentrant {
        if (batch.length < 4 + _BATCH_ITEM_SIZE || (batch.length - 4) % _BATCH_ITEM_SIZE != 0) revert MalformedBatch();
        uint256 freeAtStart;
        assembly ("memory-safe") {
            freeAtStart := mload(0x40)
        }
        bytes32 domainSeparator = _domainSeparatorV4();
        bytes32 typeHash = VOUCHER_TYPEHASH;
        uint256 total;
        // Constant addresses from 0x80 (no pointer arithmetic per item). The free memory pointer was 0x80 when this call
        // began (checked: the compiler reserves no memory for stack variables in this contract; if a compiler change
        // did, every batch would stop at `invalid` and the batch tests would fail). What lies there now is dead: at most
        // the domain separator's encoding, when the chain id changed since deployment. The block writes nothing that
        // Solidity reads afterwards, hence "memory-safe".
        assembly ("memory-safe") {
            if iszero(eq(freeAtStart, 0x80)) { invalid() }
            // 0x080 channel id preimage: payer | payee | token | challengePeriod | nonce
            // 0x120 voucher struct: typeHash | id | amount
            // 0x180 EIP-712 digest preimage: 0x1901 | domainSeparator | structHash (0x42 bytes)
            // 0x1e0 ecrecover input: digest | v | r | s; its output (the signer) overwrites the digest
            // 0x260 BatchRedeemed data: challengePeriod | offset | length | 37 bytes per redeemed item (| zero padding)
            mstore(0xa0, caller())
            mstore(0xc0, token)
            mstore(0xe0, shr(224, calldataload(batch.offset)))
            mstore(0x120, typeHash)
            mstore(0x180, shl(240, 0x1901))
            mstore(0x182, domainSeparator)
            // The slow path of an item (reads again what it needs from calldata, so the loop keeps few values live):
            // reverts for a bad signature or an amount above the deposit, else emits `BatchItemSkipped`.
            function _batchItemNotRedeemable(p, id, main, redeemableAbove) {
                let s := and(calldataload(add(p, 69)), _LOW_255_BITS)
                if gt(s, _HALF_ORDER) {
                    mstore(0, shl(224, _ERR_INVALID_SIGNATURE_S))
                    mstore(0x04, s)
                    revert(0, 0x24)
                }
                if iszero(returndatasize()) {
                    mstore(0, shl(224, _ERR_INVALID_SIGNATURE))
                    revert(0, 0x04)
                }
                if iszero(eq(mload(0x1e0), shr(96, calldataload(p)))) {
                    mstore(0, shl(224, _ERR_INVALID_SIGNER))
                    revert(0, 0x04)
                }
                let amount := shr(160, calldataload(add(p, 25)))
                // The same order as `redeem`: channel, challenge period, then the amount. An existing channel's slot is
                // never zero (open sets _EXISTS) and a settled one's is deleted.
                let reason := _SKIP_CHANNEL_NOT_FOUND
                if main {
                    reason := _SKIP_CHALLENGE_PERIOD_OVER
                    if gt(sub(shl(24, main), shl(216, 1)), redeemableAbove) {
                        reason := _SKIP_ALREADY_REDEEMED
                        if gt(amount, and(shr(_PAID_SHIFT, main), _AMOUNT_MASK)) {
                            mstore(0, shl(224, _ERR_AMOUNT_EXCEEDS_DEPOSIT))
                            revert(0, 0x04)
                        }
                    }
                }
                mstore(0, amount)
                mstore(0x20, reason)
                log2(0, 0x40, _BATCH_ITEM_SKIPPED_TOPIC, id)
            }
            let redeemableAbove := sub(shl(216, sub(timestamp(), 1)), 1)
            let w := 0x2c0
            for {
                let p := add(batch.offset, 4)
                let end := add(batch.offset, batch.length)
            } lt(p, end) { p := add(p, _BATCH_ITEM_SIZE) } {
                let head := calldataload(p)
                let payer := shr(96, head)
                mstore(0x80, payer)
                mstore(0x100, and(shr(56, head), 0xffffffffff))
                let id := keccak256(0x80, 0xa0)
                mstore(0x140, id)
                let amount := shr(160, calldataload(add(p, 25)))
                mstore(0x160, amount)
                mstore(0x1a2, keccak256(0x120, 0x60))
                mstore(0x1e0, keccak256(0x180, 0x42))
                // OpenZeppelin's ECDSA.recover(digest, r, vs) with the same checks and errors (s above half the curve
                // order, no recovery), then the signer must be the payer. A failed recovery leaves the digest at
                // 0x1e0, which is not the payer (it would be a keccak256 output with 96 leading zero bits).
                let vs := calldataload(add(p, 69))
                let s := and(vs, _LOW_255_BITS)
                mstore(0x200, add(27, shr(255, vs)))
                mstore(0x220, calldataload(add(p, 37)))
                mstore(0x240, s)
                pop(staticcall(gas(), 1, 0x1e0, 0x80, 0x1e0, 0x20))
                let main := sload(id) // _getMain(id)
                let paid := and(shr(_PAID_SHIFT, main), _AMOUNT_MASK)
                // One branch when all is well: the signature, paid < amount <= deposit (a missing channel's deposit is
                // 0), the challenge period.
                if iszero(
                    and(
                        and(eq(mload(0x1e0), payer), lt(s, add(_HALF_ORDER, 1))),
                        and(
                            and(gt(amount, paid), iszero(gt(amount, and(main, _AMOUNT_MASK)))),
                            gt(sub(shl(24, main), shl(216, 1)), redeemableAbove)
                        )
                    )
                ) {
                    _batchItemNotRedeemable(p, id, main, redeemableAbove)
                    continue
                }
                // paid < amount <= deposit < 2^96: adding the difference to the redeemed field cannot carry out.
                let increase := sub(amount, paid)
                sstore(id, add(main, shl(_PAID_SHIFT, increase)))
                // The item's first 37 bytes as sent: payer | nonce | cumulativeAmount.
                calldatacopy(w, p, 37)
                w := add(w, 37)
                // Fewer than 2^64 items of less than 2^96 each: no overflow.
                total := add(total, increase)
            }
            let len := sub(w, 0x2c0)
            if len {
                mstore(0x260, mload(0xe0))
                mstore(0x280, 0x40)
                mstore(0x2a0, len)
                mstore(w, 0)
                log3(0x260, add(0x60, and(add(len, 31), not(31))), _BATCH_REDEEMED_TOPIC, caller(), token)
            }
        }
        if (total == 0) return;
        if (token == address(0)) {
            (bool ok,) = msg.sender.call{value: total}("");
            if (!ok) revert EthTransferFailed();
        } else {
            IERC20(token).safeTransfer(msg.sender, total);
        }
    }

    // ------------------------------------------------------------------ close

    /// @notice Starts a unilateral close (payer or payee only): vouchers stay redeemable for the channel's
    /// challenge period, then anyone may `settle`.
    function startClose(Channel calldata c) external nonReentrant {
        bytes32 id = channelIdOf(c);
        _startClose(id, c, _getMain(id));
    }

    /// @notice Redeems the newest voucher the caller holds and starts a unilateral close in one transaction.
    function startCloseWithVoucher(Channel calldata c, uint256 cumulativeAmount, Signature calldata sig)
        external
        nonReentrant
    {
        bytes32 id = channelIdOf(c);
        uint256 main = _redeem(id, c, cumulativeAmount, sig, _getMain(id));
        _startClose(id, c, main);
    }

    /// @notice After the challenge period: pays each side its remaining deposit and deletes the channel.
    function settle(Channel calldata c) external nonReentrant {
        bytes32 id = channelIdOf(c);
        uint256 main = _getMain(id);
        if (main & _EXISTS == 0) revert ChannelNotFound();
        uint256 deadline = (main >> _DEADLINE_SHIFT) & _DEADLINE_MASK;
        if (deadline == 0) revert ChannelNotClosing();
        if (block.timestamp <= deadline) revert ChallengePeriodActive();
        uint256 toPayer;
        uint256 toPayee;
        unchecked {
            // redeemed <= deposit is kept by every write.
            toPayer = (main & _AMOUNT_MASK) - ((main >> _PAID_SHIFT) & _AMOUNT_MASK);
        }
        _setMain(id, 0);
        if (main & _PAYEE_SIDE != 0) {
            uint256 side = _payeeSide[id];
            delete _payeeSide[id];
            unchecked {
                toPayee = (side & _AMOUNT_MASK) - ((side >> _PAID_SHIFT) & _AMOUNT_MASK);
            }
        }
        emit ChannelSettled(id, c.payer, c.payee, c.token, false, toPayer, toPayee);
        _pay(id, c.token, c.payer, toPayer);
        _pay(id, c.token, c.payee, toPayee);
    }

    /// @notice Closes at once with a final state signed by both parties (the caller's own signature is not
    /// needed when the caller is a party). Works while open or closing, until the agreement's `deadline`
    /// (a unix time, inclusive), and never in the channel's opening block.
    function cooperativeClose(
        Channel calldata c,
        uint256 payerToPayee,
        uint256 payeeToPayer,
        uint256 deadline,
        Signature calldata payerSig,
        Signature calldata payeeSig
    ) external nonReentrant {
        if (block.timestamp > deadline) revert CloseAgreementExpired();
        // A channel closed in its opening block could be re-opened with the same id in that block.
        if (c.nonce == block.number) revert CloseInOpeningBlock();
        bytes32 id = channelIdOf(c);
        uint256 main = _getMain(id);
        if (main & _EXISTS == 0) revert ChannelNotFound();
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(COOPERATIVE_CLOSE_TYPEHASH, id, payerToPayee, payeeToPayer, deadline))
        );
        if (msg.sender != c.payer && ECDSA.recover(digest, payerSig.v, payerSig.r, payerSig.s) != c.payer) {
            revert InvalidSigner();
        }
        if (msg.sender != c.payee && ECDSA.recover(digest, payeeSig.v, payeeSig.r, payeeSig.s) != c.payee) {
            revert InvalidSigner();
        }
        uint256 payerDeposit = main & _AMOUNT_MASK;
        uint256 paidToPayee = (main >> _PAID_SHIFT) & _AMOUNT_MASK;
        if (payerToPayee < paidToPayee || payerToPayee > payerDeposit) revert InvalidFinalState();
        uint256 payeeDeposit;
        uint256 paidToPayer;
        _setMain(id, 0);
        if (main & _PAYEE_SIDE != 0) {
            uint256 side = _payeeSide[id];
            delete _payeeSide[id];
            payeeDeposit = side & _AMOUNT_MASK;
            paidToPayer = (side >> _PAID_SHIFT) & _AMOUNT_MASK;
        }
        if (payeeToPayer < paidToPayer || payeeToPayer > payeeDeposit) revert InvalidFinalState();
        uint256 toPayer;
        uint256 toPayee;
        unchecked {
            // All four terms are bounded by deposits < 2^96 and checked just above.
            toPayer = (payeeToPayer - paidToPayer) + (payerDeposit - payerToPayee);
            toPayee = (payerToPayee - paidToPayee) + (payeeDeposit - payeeToPayer);
        }
        emit ChannelSettled(id, c.payer, c.payee, c.token, true, toPayer, toPayee);
        _pay(id, c.token, c.payer, toPayer);
        _pay(id, c.token, c.payee, toPayee);
    }

    /// @notice Sends msg.sender's owed payouts in `token` to `to` (reverts if that transfer fails).
    function withdrawOwed(address token, address to) external nonReentrant {
        uint256 amount = owed[token][msg.sender];
        if (amount == 0) revert NothingOwed();
        owed[token][msg.sender] = 0;
        emit OwedWithdrawn(msg.sender, token, to, amount);
        if (token == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert EthTransferFailed();
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    // ------------------------------------------------------------------ views

    /// @notice The channel id of `c`: keccak256(abi.encode(payer, payee, token, challengePeriod, nonce)).
    function channelIdOf(Channel calldata c) public pure returns (bytes32) {
        return _channelId(c.payer, c.payee, c.token, c.challengePeriod, c.nonce);
    }

    /// @notice The state of a channel (all zero once it is settled or if it never existed).
    function channelState(bytes32 channelId)
        external
        view
        returns (
            bool exists,
            uint256 payerDeposit,
            uint256 redeemedByPayee,
            uint256 payeeDeposit,
            uint256 redeemedByPayer,
            uint64 closeDeadline
        )
    {
        uint256 main = _getMain(channelId);
        uint256 side = _payeeSide[channelId];
        exists = main & _EXISTS != 0;
        payerDeposit = main & _AMOUNT_MASK;
        redeemedByPayee = (main >> _PAID_SHIFT) & _AMOUNT_MASK;
        payeeDeposit = side & _AMOUNT_MASK;
        redeemedByPayer = (side >> _PAID_SHIFT) & _AMOUNT_MASK;
        closeDeadline = uint64((main >> _DEADLINE_SHIFT) & _DEADLINE_MASK);
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest a party signs for a voucher.
    function voucherDigest(bytes32 channelId, uint256 cumulativeAmount) external view returns (bytes32) {
        return _voucherDigest(channelId, cumulativeAmount);
    }

    // ------------------------------------------------------------------ internals

    function _open(address payer, address payee, address token, uint32 challengePeriod, uint256 amount)
        private
        returns (bytes32 id)
    {
        if (payer == address(0) || payee == address(0) || payer == payee) revert InvalidParticipants();
        if (challengePeriod < MIN_CHALLENGE_PERIOD || challengePeriod > MAX_CHALLENGE_PERIOD) {
            revert InvalidChallengePeriod();
        }
        // The opening block is the nonce: the same parameters in another block give another id. In the same
        // block the slot is still set (a channel cannot be closed in its opening block), so a duplicate reverts.
        uint64 nonce = uint64(block.number);
        id = _channelId(payer, payee, token, challengePeriod, nonce);
        if (_getMain(id) != 0) revert ChannelExists();
        uint256 received = _pullIn(token, amount);
        _setMain(id, received | _EXISTS);
        emit ChannelOpened(id, payer, payee, token, msg.sender, challengePeriod, nonce, received);
    }

    /// Takes `amount` from msg.sender and returns what this contract actually received.
    function _pullIn(address token, uint256 amount) private returns (uint256 received) {
        if (amount > MAX_AMOUNT) revert AmountTooLarge();
        if (token == address(0)) {
            if (msg.value != amount) revert WrongEthValue();
            return amount;
        }
        if (msg.value != 0) revert WrongEthValue();
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        // Fee-on-transfer tokens: credit what arrived, never what was asked for.
        received = IERC20(token).balanceOf(address(this)) - before;
        if (received > amount) revert AmountTooLarge();
    }

    function _redeem(bytes32 id, Channel calldata c, uint256 cumulativeAmount, Signature calldata sig, uint256 main)
        private
        returns (uint256)
    {
        _requireRedeemable(main);
        address signer = ECDSA.recover(_voucherDigest(id, cumulativeAmount), sig.v, sig.r, sig.s);
        uint256 paid;
        if (signer == c.payer) {
            paid = (main >> _PAID_SHIFT) & _AMOUNT_MASK;
            if (cumulativeAmount <= paid) revert VoucherNotNewer();
            if (cumulativeAmount > (main & _AMOUNT_MASK)) revert AmountExceedsDeposit();
            main = (main & ~(_AMOUNT_MASK << _PAID_SHIFT)) | (cumulativeAmount << _PAID_SHIFT);
            _setMain(id, main);
        } else if (signer == c.payee) {
            uint256 side = _payeeSide[id];
            paid = (side >> _PAID_SHIFT) & _AMOUNT_MASK;
            if (cumulativeAmount <= paid) revert VoucherNotNewer();
            if (cumulativeAmount > (side & _AMOUNT_MASK)) revert AmountExceedsDeposit();
            _payeeSide[id] = (side & ~(_AMOUNT_MASK << _PAID_SHIFT)) | (cumulativeAmount << _PAID_SHIFT);
        } else {
            revert InvalidSigner();
        }
        bool toPayee = signer == c.payer;
        uint256 amount;
        unchecked {
            amount = cumulativeAmount - paid;
        }
        emit VoucherRedeemed(id, c.payer, c.payee, c.token, toPayee, amount, cumulativeAmount);
        _pay(id, c.token, toPayee ? c.payee : c.payer, amount);
        return main;
    }

    function _startClose(bytes32 id, Channel calldata c, uint256 main) private {
        if (msg.sender != c.payer && msg.sender != c.payee) revert NotParticipant();
        _requireOpen(main);
        uint256 deadline = block.timestamp + c.challengePeriod;
        _setMain(id, main | (deadline << _DEADLINE_SHIFT));
        emit ChannelClosing(id, c.payer, c.payee, c.token, msg.sender, uint64(deadline));
    }

    /// Pushes a payout; a recipient that reverts (or a token that refuses) is credited to `owed` instead, so it
    /// cannot block the other party's payout.
    function _pay(bytes32 id, address token, address to, uint256 amount) private {
        if (amount == 0) return;
        bool ok;
        if (token == address(0)) {
            uint256 stipend = ETH_PUSH_GAS;
            assembly ("memory-safe") {
                ok := call(stipend, to, amount, 0, 0, 0, 0)
            }
        } else {
            ok = IERC20(token).trySafeTransfer(to, amount);
        }
        if (!ok) {
            owed[token][to] += amount;
            emit PayoutDeferred(id, to, token, amount);
        }
    }

    function _requireOpen(uint256 main) private pure {
        if (main & _EXISTS == 0) revert ChannelNotFound();
        if ((main >> _DEADLINE_SHIFT) & _DEADLINE_MASK != 0) revert ChannelClosingAlready();
    }

    function _requireRedeemable(uint256 main) private view {
        if (main & _EXISTS == 0) revert ChannelNotFound();
        uint256 deadline = (main >> _DEADLINE_SHIFT) & _DEADLINE_MASK;
        if (deadline != 0 && block.timestamp > deadline) revert ChallengePeriodOver();
    }

    function _getMain(bytes32 id) private view returns (uint256 main) {
        assembly ("memory-safe") {
            main := sload(id)
        }
    }

    function _setMain(bytes32 id, uint256 main) private {
        assembly ("memory-safe") {
            sstore(id, main)
        }
    }

    function _voucherDigest(bytes32 id, uint256 cumulativeAmount) private view returns (bytes32 digest) {
        bytes32 typeHash = VOUCHER_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            mstore(add(ptr, 0x20), id)
            mstore(add(ptr, 0x40), cumulativeAmount)
            structHash := keccak256(ptr, 0x60)
        }
        digest = _hashTypedDataV4(structHash);
    }

    function _channelId(address payer, address payee, address token, uint32 challengePeriod, uint64 nonce)
        private
        pure
        returns (bytes32 id)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, payer)
            mstore(add(ptr, 0x20), payee)
            mstore(add(ptr, 0x40), token)
            mstore(add(ptr, 0x60), challengePeriod)
            mstore(add(ptr, 0x80), nonce)
            id := keccak256(ptr, 0xa0)
        }
    }
}
