// EIP-55 checksummed addresses, which EIP-4361 requires in the signed message. Wallets often return
// lowercase accounts, and browsers have no Keccak-256: js-sha3's (copied from npm into lib/ at build time).
import { keccak256 } from "../lib/js-sha3/sha3.min.js";

/** The EIP-55 form of a 0x address in any case. */
export function toChecksumAddress(address) {
  const lower = address.toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new Error(`Not an address: ${address}`);
  const hash = keccak256(lower);
  let out = "0x";
  for (let i = 0; i < 40; i++) out += parseInt(hash[i], 16) >= 8 ? lower[i].toUpperCase() : lower[i];
  return out;
}
