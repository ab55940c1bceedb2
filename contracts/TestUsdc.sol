// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title A test stand-in for USDC on the local chain: 6 decimals, and anyone may mint.
/// @dev Never deploy this anywhere real: `mint` is deliberately unrestricted so that the demo and the
/// tests can fund their wallets.
contract TestUsdc is ERC20 {
    constructor() ERC20("Test USD Coin", "USDC") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
