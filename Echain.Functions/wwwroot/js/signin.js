// "Sign in with wallet": Sign-In with Ethereum (EIP-4361) through an EIP-1193 provider (window.ethereum).
// GET /api/auth/nonce, build the message, personal_sign, POST /api/auth/verify, then reconnect realtime with
// the user token so negotiate names the wallet and its own messages (balance-updated, notification) arrive.
// The token lives in sessionStorage: it ends with the tab, and it is never put in a URL.
import { apiUrl, pageHref } from "./config.js";
import { h, fill } from "./dom.js";
import { shortAddress } from "./format.js";
import { toChecksumAddress } from "./checksum.js";

const STORAGE_KEY = "echain.signin";
/** Must equal the server's Echain:Auth:Statement. */
export const SIGN_IN_STATEMENT = "Sign in to Echain to receive your wallet's live updates.";
export const SIGN_IN_EVENT = "echain:signin";

/** {accessToken, userId, expiresOn} while a sign-in of this tab is valid, else null. */
export function currentSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null");
    if (session?.accessToken && Date.parse(session.expiresOn) > Date.now() + 30_000) return session;
  } catch {
    // An unreadable entry is no session; it is replaced at the next sign-in.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return null;
}

/** The EIP-4361 text, exactly as the server parses it (LF line ends, fields in the EIP's order). */
export function buildSignInMessage({ domain, address, statement, uri, chainId, nonce, issuedAt, expirationTime }) {
  return [
    `${domain} wants you to sign in with your Ethereum account:`,
    address,
    "",
    statement,
    "",
    `URI: ${uri}`,
    "Version: 1",
    `Chain ID: ${chainId}`,
    `Nonce: ${nonce}`,
    `Issued At: ${issuedAt}`,
    `Expiration Time: ${expirationTime}`,
  ].join("\n");
}

const utf8Hex = (text) => "0x" + [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function readJson(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail || `Sign-in failed (${response.status})`);
  return body;
}

/** Signs in with the provider's first account; resolves to the session. */
export async function signInWithWallet(provider) {
  const [account] = await provider.request({ method: "eth_requestAccounts" });
  if (!account) throw new Error("The wallet shared no account.");
  const chainId = Number.parseInt(await provider.request({ method: "eth_chainId" }), 16);
  const { nonce } = await readJson(await fetch(apiUrl("auth/nonce"), { cache: "no-store" }));
  const now = Date.now();
  const address = toChecksumAddress(account);
  const message = buildSignInMessage({
    domain: location.host,
    address,
    statement: SIGN_IN_STATEMENT,
    uri: location.origin,
    chainId,
    nonce,
    issuedAt: new Date(now).toISOString(),
    expirationTime: new Date(now + 10 * 60_000).toISOString(),
  });
  // personal_sign takes the UTF-8 bytes as hex (what MetaMask and Coinbase Wallet expect) and the account.
  const signature = await provider.request({ method: "personal_sign", params: [utf8Hex(message), account] });
  const session = await readJson(await fetch(apiUrl("auth/verify"), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ message, signature }),
  }));
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/** Renders the header's sign-in control into container; realtime reconnects on sign-in and sign-out. */
export function setupSignIn(container, realtime) {
  const provider = window.ethereum;
  const status = h("span", { id: "signin-status", class: "muted", role: "status" });

  const announce = (session) => window.dispatchEvent(new CustomEvent(SIGN_IN_EVENT, { detail: session }));

  async function signIn(button) {
    button.disabled = true;
    status.textContent = "Waiting for your wallet…";
    try {
      const session = await signInWithWallet(provider);
      status.textContent = "";
      render();
      await realtime.useAccessToken(session.accessToken);
      announce(session);
    } catch (error) {
      console.warn("Sign-in failed", error);
      status.textContent = error?.message || "Sign-in failed.";
      button.disabled = false;
    }
  }

  async function signOut() {
    sessionStorage.removeItem(STORAGE_KEY);
    render();
    await realtime.useAccessToken("");
    announce(null);
  }

  function render() {
    const session = currentSession();
    if (session) {
      fill(container,
        h("span", { id: "signed-in-as", "data-user-id": session.userId }, "Signed in as ",
          h("a", { href: pageHref(`wallets/${session.userId}`), title: session.userId }, shortAddress(session.userId))),
        " ", h("button", { type: "button", id: "signout-button", onclick: signOut }, "Sign out"));
    } else if (provider) {
      const button = h("button", { type: "button", id: "signin-button" }, "Sign in with wallet");
      button.addEventListener("click", () => signIn(button));
      fill(container, button, " ", status);
    } else {
      fill(container); // no EIP-1193 wallet: the page works as before, anonymously
    }
  }

  render();
}
