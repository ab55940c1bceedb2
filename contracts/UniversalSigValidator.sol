// SPDX-License-Identifier: CC0-1.0
pragma solidity 0.8.30;

// The universal signature validator of ERC-6492 (its reference implementation, CC0), unchanged in behaviour.
// Echain uses only ValidateSigOffchain: its creation bytecode + abi.encode(signer, hash, signature), sent as an
// eth_call without `to`, answers 0x01 when the signature is valid. In that call's sandbox it deploys a
// counterfactual wallet through the wrapped factory call first; nothing is ever sent as a transaction.

// As per ERC-1271
interface IERC1271Wallet {
  function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magicValue);
}

error ERC1271Revert(bytes error);
error ERC6492CallFailed(bytes error);
error ERC6492DeploySilentlyFailed();

contract UniversalSigValidator {
  bytes32 private constant ERC6492_DETECTION_SUFFIX = 0x6492649264926492649264926492649264926492649264926492649264926492;
  bytes4 private constant ERC1271_SUCCESS = 0x1626ba7e;

  function isValidSigImpl(
    address _signer,
    bytes32 _hash,
    bytes calldata _signature,
    bool allowSideEffects,
    bool tryPrepare
  ) public returns (bool) {
    uint contractCodeLen = _signer.code.length;
    bytes memory sigToValidate;
    // The order is the one ERC-6492 prescribes: the 6492 suffix first (permissive when the wallet is already deployed,
    // so the live wallet decides, key rotations included), then ERC-1271 when there is code, finally ecrecover.
    bool isCounterfactual = _signature.length >= 32
      && bytes32(_signature[_signature.length-32:_signature.length]) == ERC6492_DETECTION_SUFFIX;
    bool makingACall = contractCodeLen == 0 || tryPrepare;
    bytes memory callErr;
    bool callSuccess;
    if (isCounterfactual) {
      address create2Factory;
      bytes memory factoryCalldata;
      (create2Factory, factoryCalldata, sigToValidate) = unwrap(_signature);

      if (makingACall) {
        (callSuccess, callErr) = create2Factory.call(factoryCalldata);
      }

      if (_signer.code.length == 0) {
        if (!callSuccess) revert ERC6492CallFailed(callErr);
        else revert ERC6492DeploySilentlyFailed();
      }
    } else {
      sigToValidate = _signature;
    }

    // ERC-1271
    if (isCounterfactual || contractCodeLen > 0) {
      try IERC1271Wallet(_signer).isValidSignature(_hash, sigToValidate) returns (bytes4 magicValue) {
        bool isValid = magicValue == ERC1271_SUCCESS;

        // Not valid on the deployed wallet: the prefix may be a "prepare" call (a migration); try once with it.
        if (!isValid && !tryPrepare && contractCodeLen > 0 && isCounterfactual) {
          return isValidSigImpl(_signer, _hash, _signature, allowSideEffects, true);
        }
        if (!isValid && tryPrepare && !callSuccess) revert ERC6492CallFailed(callErr);

        // A call with side effects that must not persist returns its answer through a 1-byte revert.
        if (makingACall && isCounterfactual && !allowSideEffects) {
          assembly {
           mstore(0, isValid)
           revert(31, 1)
          }
        }

        return isValid;
      } catch (bytes memory err) {
        if (!tryPrepare && contractCodeLen > 0 && isCounterfactual) {
          return isValidSigImpl(_signer, _hash, _signature, allowSideEffects, true);
        }
        if (tryPrepare && !callSuccess) revert ERC6492CallFailed(callErr);
        revert ERC1271Revert(err);
      }
    }

    return recoversTo(_signer, _hash, _signature);
  }

  // ecrecover
  function recoversTo(address _signer, bytes32 _hash, bytes calldata _signature) private pure returns (bool) {
    require(_signature.length == 65, 'SignatureValidator#recoverSigner: invalid signature length');
    bytes32 r = bytes32(_signature[0:32]);
    bytes32 s = bytes32(_signature[32:64]);
    uint8 v = uint8(_signature[64]);
    if (v != 27 && v != 28) {
      revert('SignatureValidator: invalid signature v value');
    }
    return ecrecover(_hash, v, r, s) == _signer;
  }

  // unwrap and recoversTo are the only changes to the reference: inline, they are "stack too deep" for solc 0.8.30
  // without via-IR (which would change how the other contracts compile).
  function unwrap(bytes calldata _signature) private pure returns (address, bytes memory, bytes memory) {
    return abi.decode(_signature[0:_signature.length-32], (address, bytes, bytes));
  }

  function isValidSigWithSideEffects(address _signer, bytes32 _hash, bytes calldata _signature)
    external returns (bool)
  {
    return this.isValidSigImpl(_signer, _hash, _signature, true, false);
  }

  function isValidSig(address _signer, bytes32 _hash, bytes calldata _signature)
    external returns (bool)
  {
    try this.isValidSigImpl(_signer, _hash, _signature, false, false) returns (bool isValid) { return isValid; }
    catch (bytes memory error) {
      // A 1-byte revert is the answer of a call whose side effects were undone; any other error is forwarded.
      uint len = error.length;
      if (len == 1) return error[0] == 0x01;
      else assembly { revert(add(error, 0x20), len) }
    }
  }
}

// Validation in one eth_call, without a deployed singleton: the constructor's return data is the 1-byte answer.
contract ValidateSigOffchain {
  constructor (address _signer, bytes32 _hash, bytes memory _signature) {
    UniversalSigValidator validator = new UniversalSigValidator();
    bool isValidSig = validator.isValidSigWithSideEffects(_signer, _hash, _signature);
    assembly {
      mstore(0, isValidSig)
      return(31, 1)
    }
  }
}
