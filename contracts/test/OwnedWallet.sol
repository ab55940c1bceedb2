// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Test wallets for the sign-in tests only (never deployed by the app): the smallest ERC-1271 wallet, a CREATE2
// factory for its counterfactual (ERC-6492) form, and wallets that answer wrongly.

/// @notice Valid iff the 65-byte signature over the hash, as given, recovers to the owner. Real wallets such as
/// Coinbase Smart Wallet wrap the hash in their own replay-safe EIP-712 hash inside isValidSignature; that happens
/// behind the same interface, so the caller (Echain) asks exactly the same question.
contract OwnedWallet {
  bytes4 private constant ERC1271_SUCCESS = 0x1626ba7e;
  address public immutable owner;

  constructor(address owner_) {
    owner = owner_;
  }

  function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
    if (signature.length != 65) return 0xffffffff;
    bytes32 r = bytes32(signature[0:32]);
    bytes32 s = bytes32(signature[32:64]);
    uint8 v = uint8(signature[64]);
    address signer = ecrecover(hash, v, r, s);
    return signer != address(0) && signer == owner ? ERC1271_SUCCESS : bytes4(0xffffffff);
  }
}

/// @notice Deploys OwnedWallet at a CREATE2 address known before deployment, as smart-wallet factories do.
contract WalletFactory {
  function deploy(address owner, bytes32 salt) external returns (address wallet) {
    wallet = address(new OwnedWallet{salt: salt}(owner));
  }

  function addressOf(address owner, bytes32 salt) external view returns (address) {
    bytes32 codeHash = keccak256(abi.encodePacked(type(OwnedWallet).creationCode, abi.encode(owner)));
    return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
  }
}

/// @notice A wallet whose isValidSignature always reverts.
contract RevertingWallet {
  function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
    revert("RevertingWallet: no signature is valid");
  }
}

/// @notice A wallet that answers a value other than the ERC-1271 magic value.
contract WrongMagicWallet {
  function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
    return 0x1626ba7f;
  }
}
