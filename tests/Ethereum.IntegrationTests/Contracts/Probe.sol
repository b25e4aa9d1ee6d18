// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A tiny contract for the JSON-RPC client's integration tests: state, events and every
/// kind of revert (Error(string), a custom error, a panic).
contract Probe {
    error Insufficient(uint256 requested, uint256 available);

    event Stored(address indexed by, uint256 indexed key, string note, uint256 value);
    event Received(address indexed from, uint256 amount);

    mapping(uint256 => uint256) public values;
    uint256 public counter;

    constructor(uint256 initial) payable {
        counter = initial;
    }

    function store(uint256 key, uint256 value, string calldata note) external {
        values[key] = value;
        counter += 1;
        emit Stored(msg.sender, key, note, value);
    }

    function increment() external {
        counter += 1;
    }

    function failWithMessage(string calldata message) external pure {
        revert(message);
    }

    function failWithCustom(uint256 requested) external view {
        revert Insufficient(requested, address(this).balance);
    }

    function failWithPanic(uint256 a) external pure returns (uint256) {
        return a + type(uint256).max;
    }

    /// @dev Reverts only once the counter passes the limit, so a transaction can pass gas estimation
    /// and still revert when mined after another one.
    function incrementUpTo(uint256 limit) external {
        counter += 1;
        if (counter > limit) {
            revert("counter above limit");
        }
    }

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }
}
