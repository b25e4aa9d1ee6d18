// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice TEST ONLY. A token that, once armed, calls `target` with `data` from inside its next transfer
/// (a re-entry into the channel contract mid-deposit or mid-payout). The re-entry's outcome is recorded, not
/// bubbled, so the outer call can complete and the test can check both.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public data;
    bool public armed;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryResult;

    constructor() ERC20("Reentrant Token", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
        attempted = false;
        reentrySucceeded = false;
        delete reentryResult;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from != address(0) && to != address(0)) {
            armed = false;
            attempted = true;
            (bool ok, bytes memory result) = target.call(data);
            reentrySucceeded = ok;
            reentryResult = result;
        }
    }
}
