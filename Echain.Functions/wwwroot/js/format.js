// Formatting for uint256 decimal strings, addresses and times. BigInt keeps amounts exact.
import { USDC_DECIMALS } from "./config.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export function isZeroAddress(address) {
  return !address || address.toLowerCase() === ZERO;
}

export function shortAddress(address) {
  return address && address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address ?? "";
}

/** "1234567" with 6 decimals → "1.234567"; trailing zeros trimmed, thousands grouped. */
export function formatUnits(value, decimals = USDC_DECIMALS) {
  let amount;
  try {
    amount = BigInt(value ?? "0");
  } catch {
    return String(value);
  }
  const negative = amount < 0n;
  if (negative) amount = -amount;
  const scale = 10n ** BigInt(decimals);
  const whole = (amount / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (amount % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

export function formatUsdc(value) {
  return `${formatUnits(value)} USDC`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : dateTime.format(date);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const steps = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.35],
  ["month", 12],
  ["year", Infinity],
];

/** "just now", "3 minutes ago", "in 2 days"; with {past: true} a future time (clock skew) is "just now". */
export function formatRelative(iso, now = Date.now(), { past = false } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  let amount = (date.getTime() - now) / 1000;
  if (past) amount = Math.min(0, amount);
  if (Math.abs(amount) < 10) return "just now";
  for (const [unit, size] of steps) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return "";
}

/** Re-renders every <time data-relative> on the page; a timer calls this, it never fetches. */
export function refreshRelativeTimes(root = document) {
  for (const element of root.querySelectorAll("time[data-relative]")) {
    element.textContent = formatRelative(element.getAttribute("datetime"), Date.now(), {
      past: element.getAttribute("data-relative") === "past",
    });
  }
}
