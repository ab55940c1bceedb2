// Every URL the page uses is computed from two values the server writes into the shell:
// <base href> (where the page and its assets live) and <meta name="echain-api-base"> (the API).
// Nothing here names an origin.

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? "";

const base = new URL(document.baseURI);

/** Absolute API base without a trailing slash, e.g. http://host/api */
export const apiBase = new URL(meta("echain-api-base") || "api", base).href.replace(/\/+$/, "");

/** The configured payment token (USDC, 6 decimals), lowercase; "" when not configured. */
export const usdcToken = meta("echain-usdc").toLowerCase();

export const USDC_DECIMALS = 6;

/** URL of an API resource: apiUrl("events/1", {limit: 50}). */
export function apiUrl(path, query = {}) {
  const url = new URL(`${apiBase}/${path.replace(/^\/+/, "")}`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, String(value));
  }
  return url.href;
}

/** Link to a page of this app, relative to the base: pageHref("events/1"). */
export function pageHref(path = "") {
  return new URL(path, base).href;
}

/** The current route, relative to the base: {name, params}. */
export function currentRoute(pathname = location.pathname) {
  const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  let rest = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname.replace(/^\/+/, "");
  if (pathname === prefix.slice(0, -1)) rest = "";
  const parts = rest.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: "events", params: {} };
  if (parts[0] === "admin" && parts.length === 1) return { name: "admin", params: {} };
  if (parts[0] === "events" && parts.length === 2) return { name: "event", params: { eventId: parts[1] } };
  if (parts[0] === "wallets" && parts.length === 2) return { name: "wallet", params: { address: parts[1].toLowerCase() } };
  return { name: "not-found", params: {} };
}
