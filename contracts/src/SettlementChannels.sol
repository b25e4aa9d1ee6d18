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
/// them back in calldata. The nonce comes from a counter, so an id is never reused.
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
        keccak256("CooperativeClose(bytes32 channelId,uint256 payerToPayee,uint256 payeeToPayer)");

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
    uint256 private constant _BATCH_ITEM_SIZE = 108;
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice Nonce of the next channel; starts at 1 and only grows.
    uint64 public nextNonce = 1;

    mapping(bytes32 channelId => uint256) private _main;
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

    /// @notice A payer -> payee voucher was redeemed by `redeemBatch`: the payee's cumulative total redeemed in the
    /// channel is now `cumulativeAmount`. Payer, payee, token and the direction are those of the channel's
    /// `ChannelOpened`; the amount paid is `cumulativeAmount` minus the previous total.
    event BatchVoucherRedeemed(bytes32 indexed channelId, uint256 cumulativeAmount);

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

    constructor() EIP712("SettlementChannels", "1") {}

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
        uint256 main = _main[id];
        _requireOpen(main);
        uint256 received = _pullIn(c.token, amount);
        uint256 deposit = (main & _AMOUNT_MASK) + received;
        if (deposit > MAX_AMOUNT) revert AmountTooLarge();
        _main[id] = (main & ~_AMOUNT_MASK) | deposit;
        emit ChannelToppedUp(id, c.payer, c.payee, c.token, msg.sender, false, received, deposit);
    }

    /// @notice Adds to the payee's deposit, so the payee can pay the payer in the same channel.
    function topUpPayee(Channel calldata c, uint256 amount) external payable nonReentrant {
        bytes32 id = channelIdOf(c);
        uint256 main = _main[id];
        _requireOpen(main);
        uint256 received = _pullIn(c.token, amount);
        uint256 side = _payeeSide[id];
        uint256 deposit = (side & _AMOUNT_MASK) + received;
        if (deposit > MAX_AMOUNT) revert AmountTooLarge();
        _payeeSide[id] = (side & ~_AMOUNT_MASK) | deposit;
        if (main & _PAYEE_SIDE == 0) _main[id] = main | _PAYEE_SIDE;
        emit ChannelToppedUp(id, c.payer, c.payee, c.token, msg.sender, true, received, deposit);
    }

    // ------------------------------------------------------------------ redeem (partial withdraw, challenge)

    /// @notice Redeems a voucher: pays the receiving side the difference between `cumulativeAmount` and what
    /// was redeemed before in that direction. The signer decides the direction (payer's voucher pays the payee,
    /// payee's voucher pays the payer). Anyone may submit it (e.g. a watchtower); while the channel is closing
    /// this is the challenge.
    function redeem(Channel calldata c, uint256 cumulativeAmount, Signature calldata sig) external nonReentrant {
        bytes32 id = channelIdOf(c);
        _redeem(id, c, cumulativeAmount, sig, _main[id]);
    }

    /// @notice The payee (msg.sender) redeems payer vouchers of many `token` channels; paid in one transfer.
    /// `batch` is a concatenation of 108-byte items, each (big-endian, no padding):
    /// payer (20 bytes) | challengePeriod (4) | nonce (8) | cumulativeAmount (12, uint96) | r (32) | vs (32),
    /// where r and vs are the EIP-2098 compact form of the payer's voucher signature (vs = s with the top bit
    /// set when v = 28). An empty batch or a length that is not a multiple of the item size reverts.
    function redeemBatch(address token, bytes calldata batch) external nonReentrant {
        uint256 p;
        uint256 end;
        assembly ("memory-safe") {
            p := batch.offset
            end := add(p, batch.length)
        }
        if (batch.length == 0 || batch.length % _BATCH_ITEM_SIZE != 0) revert MalformedBatch();
        bytes32 domainSeparator = _domainSeparatorV4();
        bytes32 typeHash = VOUCHER_TYPEHASH;
        uint256 total;
        while (p < end) {
            uint256 amount;
            address payer;
            bytes32 id;
            bytes32 digest;
            bytes32 r;
            bytes32 vs;
            assembly ("memory-safe") {
                let head := calldataload(p)
                amount := shr(160, calldataload(add(p, 32)))
                r := calldataload(add(p, 44))
                vs := calldataload(add(p, 76))
                payer := shr(96, head)
                // The channel id, as _channelId(payer, msg.sender, token, challengePeriod, nonce) computes it.
                let ptr := mload(0x40)
                mstore(ptr, payer)
                mstore(add(ptr, 0x20), caller())
                mstore(add(ptr, 0x40), token)
                mstore(add(ptr, 0x60), and(shr(64, head), 0xffffffff))
                mstore(add(ptr, 0x80), and(head, 0xffffffffffffffff))
                id := keccak256(ptr, 0xa0)
                // The EIP-712 digest of Voucher(id, amount), as _voucherDigest computes it.
                mstore(ptr, typeHash)
                mstore(add(ptr, 0x20), id)
                mstore(add(ptr, 0x40), amount)
                let structHash := keccak256(ptr, 0x60)
                mstore(ptr, hex"1901")
                mstore(add(ptr, 0x02), domainSeparator)
                mstore(add(ptr, 0x22), structHash)
                digest := keccak256(ptr, 0x42)
            }
            uint256 main = _main[id];
            _requireRedeemable(main);
            // OpenZeppelin's ECDSA.recover(digest, r, vs) inlined, same checks and errors: s above half the curve
            // order (malleable) and signatures that recover nothing or address(0) revert.
            address signer;
            {
                bytes32 s = vs & _LOW_255_BITS;
                if (uint256(s) > _HALF_ORDER) revert ECDSA.ECDSAInvalidSignatureS(s);
                assembly ("memory-safe") {
                    let ptr := mload(0x40)
                    mstore(ptr, digest)
                    mstore(add(ptr, 0x20), add(27, shr(255, vs)))
                    mstore(add(ptr, 0x40), r)
                    mstore(add(ptr, 0x60), s)
                    mstore(0, 0)
                    pop(staticcall(gas(), 1, ptr, 0x80, 0, 0x20))
                    signer := mload(0)
                }
            }
            if (signer == address(0)) revert ECDSA.ECDSAInvalidSignature();
            if (signer != payer) revert InvalidSigner();
            uint256 paid = (main >> _PAID_SHIFT) & _AMOUNT_MASK;
            if (amount <= paid) revert VoucherNotNewer();
            if (amount > (main & _AMOUNT_MASK)) revert AmountExceedsDeposit();
            _main[id] = (main & ~(_AMOUNT_MASK << _PAID_SHIFT)) | (amount << _PAID_SHIFT);
            emit BatchVoucherRedeemed(id, amount);
            unchecked {
                // amount <= deposit < 2^96 per item and fewer than 2^64 items, so neither overflows.
                total += amount - paid;
                p += _BATCH_ITEM_SIZE;
            }
        }
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
        _startClose(id, c, _main[id]);
    }

    /// @notice Redeems the newest voucher the caller holds and starts a unilateral close in one transaction.
    function startCloseWithVoucher(Channel calldata c, uint256 cumulativeAmount, Signature calldata sig)
        external
        nonReentrant
    {
        bytes32 id = channelIdOf(c);
        uint256 main = _redeem(id, c, cumulativeAmount, sig, _main[id]);
        _startClose(id, c, main);
    }

    /// @notice After the challenge period: pays each side its remaining deposit and deletes the channel.
    function settle(Channel calldata c) external nonReentrant {
        bytes32 id = channelIdOf(c);
        uint256 main = _main[id];
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
        delete _main[id];
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
    /// needed when the caller is a party). Works while open or closing.
    function cooperativeClose(
        Channel calldata c,
        uint256 payerToPayee,
        uint256 payeeToPayer,
        Signature calldata payerSig,
        Signature calldata payeeSig
    ) external nonReentrant {
        bytes32 id = channelIdOf(c);
        uint256 main = _main[id];
        if (main & _EXISTS == 0) revert ChannelNotFound();
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(COOPERATIVE_CLOSE_TYPEHASH, id, payerToPayee, payeeToPayer)));
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
        delete _main[id];
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
        uint256 main = _main[channelId];
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
        uint64 nonce = nextNonce;
        unchecked {
            nextNonce = nonce + 1; // 2^64 channels will not be opened.
        }
        id = _channelId(payer, payee, token, challengePeriod, nonce);
        uint256 received = _pullIn(token, amount);
        _main[id] = received | _EXISTS;
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
            _main[id] = main;
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
        _main[id] = main | (deadline << _DEADLINE_SHIFT);
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
