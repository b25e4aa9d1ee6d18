// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title TestStablecoin
/// @notice The demo and test stablecoin the platform issues against the GBP it holds: 6 decimals, mintable by the
/// owner (the platform treasury), burnable by holders, EIP-2612 permit. Not for production use.
contract TestStablecoin is ERC20, ERC20Burnable, ERC20Permit, Ownable {
    constructor(address treasury) ERC20("Settlement Test Pound", "tGBP") ERC20Permit("Settlement Test Pound") Ownable(treasury) {}

    /// @notice Six decimals: one unit is 10^-6 of a pound.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Issues `amount` base units to `to` (treasury only).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
